package io.quiver.manager.mesh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real gateway ({@code gateway/start}, which runs nginx) on a free loopback port in front of a
 * {@link Mesh}'s manager, with one user whose password is made up for the run ({@link #withUser} adds
 * more). Register it after the mesh:
 * {@code @RegisterExtension @Order(2) static final Gateway GATEWAY = Gateway.inFrontOf(MESH);}.
 */
public final class Gateway implements BeforeAllCallback, AfterAllCallback {
    public static final String DOMAIN = "quiver.test";
    public static final String USER = "operator";
    private static final Duration STARTUP = Duration.ofSeconds(20);

    private final Mesh mesh;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<String> otherUpstreams = new ArrayList<>();
    private final String password = randomPassword();
    private final Map<String, String> otherUsers = new LinkedHashMap<>();
    private Process process;
    private Path runDir;
    private Path log;
    private int port;

    private Gateway(Mesh mesh) {
        this.mesh = mesh;
    }

    public static Gateway inFrontOf(Mesh mesh) {
        return new Gateway(mesh);
    }

    /** A gateway setting as an environment variable, e.g. {@code GATEWAY_RATE}; before it starts. */
    public Gateway setting(String variable, String value) {
        settings.put(variable, value);
        return this;
    }

    /** Another address the gateway balances across beside the manager's (MANAGER_URL takes several). */
    public Gateway alsoInFrontOf(String url) {
        otherUpstreams.add(url);
        return this;
    }

    /** Another user of the gateway, with a password made up for the run ({@link #password(String)}). */
    public Gateway withUser(String name) {
        otherUsers.put(name, randomPassword());
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        Path start = Path.of(System.getProperty("quiver.mesh.gateway-start", "../gateway/start")).toAbsolutePath().normalize();
        if (!Files.isExecutable(start)) {
            throw new IllegalStateException(start + " is missing or not executable; set -Dquiver.mesh.gateway-start");
        }
        if (Stream.of("/usr/sbin/nginx", "/usr/bin/nginx").noneMatch(p -> Files.isExecutable(Path.of(p)))) {
            throw new IllegalStateException("nginx is not installed, and the gateway tests run the real one: "
                    + "apt-get install nginx gettext-base (.ci/run does so when they are missing)");
        }
        // Under the system's temporary directory, not the build's: when the tests run as root, nginx's
        // workers run as nobody, who must be able to reach it.
        runDir = Files.createTempDirectory("quiver-gateway-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path users = runDir.resolve("users.htpasswd");
        StringBuilder lines = new StringBuilder(USER + ":" + ssha(password) + "\n");
        otherUsers.forEach((name, secret) -> lines.append(name).append(':').append(ssha(secret)).append('\n'));
        Files.writeString(users, lines);
        port = Mesh.freePort();
        log = mesh.manager().log().resolveSibling("gateway-" + port + ".log");

        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin");
        env.put("GATEWAY_HOST", "127.0.0.1");
        env.put("GATEWAY_PORT", Integer.toString(port));
        env.put("GATEWAY_RUN_DIR", runDir.resolve("run").toString());
        List<String> upstreams = new ArrayList<>(otherUpstreams);
        upstreams.add(mesh.manager().uri().toString());
        env.put("MANAGER_URL", String.join(",", upstreams));
        env.put("DOMAIN", DOMAIN);
        env.put("HTPASSWD_FILE", users.toString());
        env.putAll(settings);
        ProcessBuilder builder = new ProcessBuilder(start.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        process = builder.start();
        awaitReady();
    }

    private void awaitReady() {
        HttpClient probe = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(uri("/gateway/health")).timeout(Duration.ofSeconds(1)).build();
        try {
            Awaitility.await("the gateway").atMost(STARTUP).pollInterval(Duration.ofMillis(50)).pollInSameThread()
                    .until(() -> !process.isAlive() || answers200(probe, request));
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("the gateway did not answer " + uri("/gateway/health") + " within "
                    + STARTUP + "; its log: " + log + "\n" + tail(40), e);
        }
        if (!process.isAlive()) {
            throw new IllegalStateException("the gateway exited with " + process.exitValue() + "; its log: " + log + "\n" + tail(40));
        }
    }

    private static boolean answers200(HttpClient probe, HttpRequest request) throws InterruptedException {
        try {
            return probe.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // Not listening yet.
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (process != null) {
            if (context.getExecutionException().isPresent()) {
                System.out.println("[mesh] the gateway's log, " + log + ":\n" + tail(40));
            }
            // SIGTERM: nginx's master stops its workers before it exits.
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (runDir != null) {
            try (Stream<Path> files = Files.walk(runDir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public String password() {
        return password;
    }

    public String password(String user) {
        return user.equals(USER) ? password : otherUsers.get(user);
    }

    /**
     * Takes the user out of the users file the running gateway checks, its copy in the run
     * directory, rewritten in place (owner and mode kept), as {@code htpasswd -D} does when an
     * operator revokes a user without a restart (gateway/README.md).
     */
    public void removeUser(String user) throws IOException {
        Path users = runDir.resolve("run").resolve("htpasswd");
        List<String> kept = Files.readAllLines(users).stream().filter(line -> !line.startsWith(user + ":")).toList();
        Files.write(users, kept);
    }

    /** The JSON access-log lines written so far (nginx logs to its standard output, which is the log file). */
    public List<String> accessLog() {
        try {
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.startsWith("{")) {
                    lines.add(line);
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
    }

    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** nginx's salted SHA-1 form, which needs no htpasswd tool: {SSHA}base64(sha1(password + salt) + salt). */
    private static String ssha(String password) {
        try {
            byte[] salt = new byte[8];
            new SecureRandom().nextBytes(salt);
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(password.getBytes(StandardCharsets.UTF_8));
            sha1.update(salt);
            byte[] digest = sha1.digest();
            byte[] both = new byte[digest.length + salt.length];
            System.arraycopy(digest, 0, both, 0, digest.length);
            System.arraycopy(salt, 0, both, digest.length, salt.length);
            return "{SSHA}" + Base64.getEncoder().encodeToString(both);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
