package io.quiver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services' images as Jib writes them in the test build (the image-tests profile: on a base
 * assembled from the build's JDK, deploy/image/local-base). Each is opened as a container runtime
 * would: its configuration says who runs what on which port, its layers are what their digests say,
 * and its entry point, run from the unpacked layers as the image's user in a root of its own (this
 * machine's kernel, no container runtime here), starts a service that answers its readiness probe.
 */
class ServiceImagesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path scratch;

    @Test
    void theModelServerImageServesTheExampleModelsAsAnUnprivilegedUser() throws Exception {
        Image image = Image.open(tarball("model-server"), scratch.resolve("image"));
        image.assertRunsAsNonRoot();
        assertTrue(image.layerComments().containsAll(List.of("dependencies", "resources", "classes")), image.layerComments()::toString);
        Path root = image.unpack(scratch.resolve("root"));
        assertTrue(Files.list(root.resolve("app/libs")).anyMatch(jar -> jar.getFileName().toString().contains("onnxruntime")),
                "ONNX Runtime is in the dependencies layer");
        copy(Manifests.ROOT.resolve("example-models/target/repository"), root.resolve("models"));
        int port = freePort();
        // The image shares this host's network: its gRPC gets a free port too, not its default 8081.
        int grpcPort = freePort();
        try (Started server = image.start(root, Map.of("MODEL_SERVER_PORT", String.valueOf(port), "QUIVER_GRPC_PORT",
                String.valueOf(grpcPort), "QUIVER_REPOSITORY", "/models", "QUIVER_INVOCATIONS_MODEL", "house_price"),
                scratch.resolve("model-server.log"))) {
            server.awaitOk("http://127.0.0.1:" + port + "/v2/health/ready");
            try (java.net.Socket grpc = new java.net.Socket("127.0.0.1", grpcPort)) {
                assertTrue(grpc.isConnected(), "gRPC is served on its own port");
            }
            HttpResponse<String> model = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/house_price/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, model.statusCode(), () -> "house_price is loaded with ONNX Runtime inside the image: " + model.body());
            HttpResponse<String> infer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/house_price/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1.2, 3, 10]}]}"))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, infer.statusCode(), infer::body);
            assertTrue(infer.body().contains("\"outputs\""), infer::body);
            server.assertNoUncaughtErrors();
        }
    }

    @Test
    void theModelManagerImageStartsAsAnUnprivilegedUser() throws Exception {
        Image image = Image.open(tarball("model-manager"), scratch.resolve("image"));
        image.assertRunsAsNonRoot();
        Path root = image.unpack(scratch.resolve("root"));
        int port = freePort();
        // The manager refuses to start without tokens outside dev and test; this is the hash of "t".
        try (Started manager = image.start(root, Map.of("API_PORT", String.valueOf(port), "QUIVER_DATA_DIR", "/tmp/data",
                "QUIVER_MANAGER_AUTH_CONTROL_TOKENS", "e3b98a4da31a127d4bde6e43033f66ba274cab0eb7eb1c70ec41402bf6273dd8"),
                scratch.resolve("model-manager.log"))) {
            manager.awaitOk("http://127.0.0.1:" + port + "/health/ready");
            HttpResponse<String> services = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/services"))
                    .header("Authorization", "Bearer t").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, services.statusCode(), services::body);
            manager.assertNoUncaughtErrors();
        }
    }

    static Path tarball(String service) {
        Path tar = Manifests.ROOT.resolve(service + "/target/image/" + service + ".tar");
        assertTrue(Files.isRegularFile(tar), () -> tar + " is built by the test build (the image-tests profile, on unless"
                + " -DskipTests): ./mvnw -pl deploy -am verify");
        return tar;
    }

    /** An image in the tarball format of `docker save`: manifest.json, the configuration, gzipped layers. */
    record Image(Path tar, JsonNode config, List<String> layers, Path dir) {

        static Image open(Path tar, Path dir) throws Exception {
            Files.createDirectories(dir);
            run(List.of("tar", "-xf", tar.toString(), "-C", dir.toString()), "unpacking " + tar);
            JsonNode manifest = JSON.readTree(dir.resolve("manifest.json").toFile());
            assertEquals(1, manifest.size(), "one image in " + tar);
            JsonNode config = JSON.readTree(dir.resolve(manifest.get(0).get("Config").asText()).toFile());
            List<String> layers = new ArrayList<>();
            manifest.get(0).get("Layers").forEach(layer -> layers.add(layer.asText()));
            Image image = new Image(tar, config, layers, dir);
            image.assertLayersAreWhatTheirDigestsSay();
            return image;
        }

        void assertRunsAsNonRoot() {
            JsonNode run = config.get("config");
            assertEquals("10001", run.path("User").asText(), tar + " runs as the unprivileged user 10001");
            // No ExposedPorts to check: Quarkus 3.33's Jib extension applies quarkus.jib.ports to
            // fast-jar and native images only, not to the legacy-jar layout the services use.
            // The port is checked where it matters, by starting the service on it (start()).
            assertEquals("java", run.path("Entrypoint").path(0).asText(), tar + " starts java");
            assertTrue(run.path("Entrypoint").toString().contains("io.quarkus.runner.GeneratedMain"), tar + " starts the service");
            assertTrue(layers.size() >= 4, () -> tar + " has the base and the dependencies, resources and classes apart: " + layers);
        }

        List<String> layerComments() {
            List<String> comments = new ArrayList<>();
            config.path("history").forEach(entry -> comments.add(entry.path("comment").asText()));
            return comments;
        }

        /** What docker load and every registry check: each layer, unpacked, hashes to its diff_id. */
        void assertLayersAreWhatTheirDigestsSay() throws Exception {
            JsonNode diffIds = config.path("rootfs").path("diff_ids");
            assertEquals(layers.size(), diffIds.size(), "one diff_id per layer");
            for (int i = 0; i < layers.size(); i++) {
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                try (InputStream in = new DigestInputStream(new GZIPInputStream(Files.newInputStream(dir.resolve(layers.get(i)))), sha256)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                assertEquals(diffIds.get(i).asText(), "sha256:" + HexFormat.of().formatHex(sha256.digest()), "layer " + layers.get(i));
            }
        }

        Path unpack(Path root) throws Exception {
            Files.createDirectories(root);
            for (String layer : layers) {
                run(List.of("tar", "--warning=no-unknown-keyword", "-xzf", dir.resolve(layer).toString(), "-C", root.toString()),
                        "unpacking layer " + layer);
            }
            for (String mountPoint : List.of("proc", "sys", "dev")) {
                Files.createDirectories(root.resolve(mountPoint));
            }
            return root;
        }

        /**
         * The entry point with the image's environment and user in the unpacked root, with /proc,
         * /sys and /dev as a container runtime provides them: in pid and mount namespaces of its
         * own, chrooted by unshare. As root (CI) it runs as the image's user; otherwise in a user
         * namespace, as that namespace's root.
         */
        Started start(Path root, Map<String, String> settings, Path log) throws IOException {
            JsonNode run = config.get("config");
            Map<String, String> env = new LinkedHashMap<>();
            run.path("Env").forEach(entry -> env.put(entry.asText().substring(0, entry.asText().indexOf('=')),
                    entry.asText().substring(entry.asText().indexOf('=') + 1)));
            env.putAll(settings);
            List<String> entrypoint = new ArrayList<>();
            run.path("Entrypoint").forEach(arg -> entrypoint.add(arg.asText()));
            run.path("Cmd").forEach(arg -> entrypoint.add(arg.asText()));
            String executable = entrypoint.get(0);
            String resolved = null;
            for (String dir : env.getOrDefault("PATH", "").split(":")) {
                if (Files.isExecutable(root.resolve(dir.substring(1)).resolve(executable))) {
                    resolved = dir + "/" + executable;
                    break;
                }
            }
            assertTrue(resolved != null, executable + " is on the image's PATH " + env.get("PATH"));
            entrypoint.set(0, resolved);
            boolean asRoot = "root".equals(System.getProperty("user.name"));
            String user = run.path("User").asText();
            List<String> command = new ArrayList<>(List.of("unshare", "--fork", "--pid", "--mount", "--mount-proc=" + root.resolve("proc")));
            if (!asRoot) {
                command.add(1, "--map-root-user");
            }
            command.addAll(List.of("sh", "-c", "r=$1 w=$2 u=$3; shift 3; mount --rbind /sys \"$r/sys\" && mount --rbind /dev \"$r/dev\""
                    + " && exec unshare --root=\"$r\" --wd=\"$w\" ${u:+--setuid=$u --setgid=$u} \"$@\"",
                    "sh", root.toString(), run.path("WorkingDir").asText("/"), asRoot ? user : ""));
            command.addAll(entrypoint);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().clear();
            builder.environment().putAll(env);
            builder.environment().put("PATH", env.get("PATH") + ":/usr/bin:/bin:/usr/sbin:/sbin");
            return new Started(builder.start(), log, root);
        }
    }

    /** An image's entry point running in {@code root}; closing it stops every process the image started. */
    record Started(Process process, Path log, Path root) implements AutoCloseable {

        void awaitOk(String url) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    fail("the image's entry point exited with " + process.exitValue() + ":\n" + Manifests.read(log));
                }
                try {
                    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(200);
            }
            fail(url + " did not answer 200 within 90 s:\n" + Manifests.read(log));
        }

        /** What a service's log shows when its threads fail in the image but not elsewhere (a module not opened, a library missing). */
        void assertNoUncaughtErrors() {
            String output = Manifests.read(log);
            for (String sign : List.of("Exception in thread", "IllegalAccessError", "UnsatisfiedLinkError", "A fatal error has been detected")) {
                assertTrue(!output.contains(sign), () -> "the service logged '" + sign + "':\n" + output);
            }
        }

        /**
         * Stops the entry point as a container runtime does: SIGTERM to the namespace's first process
         * (unshare's child, the entry point once exec'd), whose end ends every process of its pid
         * namespace. Stopping unshare alone would leave it running: unshare does not pass signals on,
         * and the parent-death signal of {@code --kill-child} is cleared when the image's user is set.
         */
        @Override
        public void close() throws InterruptedException {
            List<ProcessHandle> entryPoint = process.toHandle().children().toList();
            entryPoint.forEach(ProcessHandle::destroy);
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                entryPoint.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            List<Long> left = runningInRoot();
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                left = runningInRoot();
            }
            assertEquals(List.of(), left, "processes of the image still running after it was stopped");
        }

        /** Processes whose root directory is the image's: what the entry point started, and anything it left. */
        private List<Long> runningInRoot() {
            return ProcessHandle.allProcesses().map(ProcessHandle::pid).filter(pid -> {
                try {
                    return Files.readSymbolicLink(Path.of("/proc", String.valueOf(pid), "root")).startsWith(root);
                } catch (IOException | SecurityException gone) {
                    return false;
                }
            }).toList();
        }
    }

    static void run(List<String> command, String what) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), () -> what + " failed: " + out);
    }

    static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        run(List.of("cp", "-r", from + "/.", to.toString()), "copying " + from);
        run(List.of("chmod", "-R", "a+rwX", to.toString()), "opening " + to + " to the image's user");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
