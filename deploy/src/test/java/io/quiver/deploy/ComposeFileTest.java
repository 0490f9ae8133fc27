package io.quiver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/compose.yaml as `docker-compose config` reads it (offline: no Docker daemon is needed
 * to validate): it runs the images the build makes, keeps the model-servers on a network only the
 * manager shares, and refuses to start without the tokens rather than run an open manager.
 */
class ComposeFileTest {

    static final Path COMPOSE = Manifests.ROOT.resolve("deploy/compose.yaml");
    static final Map<String, String> SETTINGS = Map.of("QUIVER_CONTROL_TOKEN", "control", "QUIVER_DATA_TOKEN", "data",
            "QUIVER_CONTROL_TOKEN_SHA256", "a".repeat(64), "QUIVER_DATA_TOKEN_SHA256", "b".repeat(64),
            "HTPASSWD_FILE", "/etc/quiver/users.htpasswd");

    @BeforeAll
    static void dockerCompose() {
        boolean installed = List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, "docker-compose")));
        assumeTrue(installed, "docker-compose is not installed, so deploy/compose.yaml cannot be checked:"
                + " apt-get install docker-compose (.ci/run does)");
    }

    @TempDir
    Path scratch;

    @Test
    void runsTheMeshFromTheImagesTheBuildMakes() throws Exception {
        JsonNode services = config(SETTINGS).get("services");
        assertEquals(Set.of("model-manager", "model-server-1", "model-server-2", "gateway"), names(services));
        for (String service : List.of("model-server", "model-manager")) {
            Path tar = ServiceImagesTest.tarball(service);
            ServiceImagesTest.run(List.of("tar", "-xf", tar.toString(), "-C", scratch.toString(), "manifest.json"), "reading " + tar);
            String tag = new ObjectMapper().readTree(scratch.resolve("manifest.json").toFile()).get(0).get("RepoTags").get(0).asText();
            names(services).stream().filter(name -> name.startsWith(service)).forEach(name ->
                    assertEquals(tag, services.get(name).get("image").asText(), name + " runs the image " + tar + " holds"));
        }
        assertEquals("8088", services.get("gateway").get("ports").get(0).get("published").asText(),
                "the gateway is published on 8088");
    }

    @Test
    void onlyTheManagerReachesTheModelServersAndOnlyTheGatewayIsPublished() throws Exception {
        JsonNode config = config(SETTINGS);
        JsonNode services = config.get("services");
        assertTrue(config.get("networks").get("mesh").get("internal").asBoolean(), "the model-servers' network is internal");
        assertEquals(Set.of("mesh"), names(services.get("model-server-1").get("networks")));
        assertEquals(Set.of("mesh"), names(services.get("model-server-2").get("networks")));
        assertEquals(Set.of("front", "mesh"), names(services.get("model-manager").get("networks")));
        assertEquals(Set.of("front"), names(services.get("gateway").get("networks")));
        for (String name : names(services)) {
            assertEquals(name.equals("gateway"), services.get(name).has("ports"), name + " publishes a port only if it is the gateway");
        }
    }

    @Test
    void theServicesRunWithTheJvmSettingsOfDeployJvmOptions() throws Exception {
        List<String> options = new ArrayList<>();
        for (String file : List.of("jvm.options", "jvm-22.options")) {
            Files.readAllLines(Manifests.ROOT.resolve("deploy/" + file)).stream().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).forEach(options::add);
        }
        JsonNode services = config(SETTINGS).get("services");
        for (String name : List.of("model-manager", "model-server-1", "model-server-2")) {
            assertEquals(options, List.of(services.get(name).get("environment").get("JDK_JAVA_OPTIONS").asText().split(" ")), name);
        }
    }

    @Test
    void refusesToStartWithoutTheTokens() throws Exception {
        for (String missing : List.of("QUIVER_CONTROL_TOKEN", "QUIVER_DATA_TOKEN_SHA256", "HTPASSWD_FILE")) {
            Map<String, String> settings = new HashMap<>(SETTINGS);
            settings.remove(missing);
            Result result = compose(settings);
            assertNotEquals(0, result.exit(), "docker-compose config without " + missing);
            assertTrue(result.err().contains(missing), () -> "the error names " + missing + ": " + result.err());
        }
    }

    record Result(int exit, String out, String err) {
    }

    static JsonNode config(Map<String, String> settings) throws Exception {
        Result result = compose(settings);
        assertEquals(0, result.exit(), () -> "docker-compose config: " + result.err());
        return new ObjectMapper(new YAMLFactory()).readTree(result.out());
    }

    static Result compose(Map<String, String> settings) throws Exception {
        Path err = Files.createTempFile("compose", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder("docker-compose", "--project-directory", COMPOSE.getParent().toString(),
                    "-f", COMPOSE.toString(), "config").redirectError(err.toFile());
            // Only what is given here: none of the caller's QUIVER_* or HTPASSWD_FILE.
            builder.environment().keySet().removeIf(key -> key.startsWith("QUIVER_") || key.startsWith("HTPASSWD") || key.startsWith("GATEWAY_"));
            builder.environment().putAll(settings);
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = process.waitFor();
            return new Result(exit, out, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
