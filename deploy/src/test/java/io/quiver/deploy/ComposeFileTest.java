package io.quiver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * manager (and, in the monitoring profile, Prometheus) shares, refuses to start without the tokens
 * rather than run an open manager, and its optional Prometheus scrapes every service for the
 * Grafana dashboard it provisions.
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
        assertEquals(Set.of("model-manager", "model-server-1", "model-server-2", "gateway"), meshServices(services));
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
        for (String name : meshServices(services)) {
            assertEquals(name.equals("gateway"), services.get(name).has("ports"), name + " publishes a port only if it is the gateway");
        }
        for (String name : List.of("model-server-1", "model-server-2")) {
            assertTrue(services.get(name).path("expose").toString().contains("8081"),
                    name + " exposes its gRPC port, which it advertises to the manager, on the mesh network: " + services.get(name));
        }
        assertEquals(Set.of("mesh", "monitoring"), names(services.get("prometheus").get("networks")));
        assertEquals(Set.of("monitoring"), names(services.get("grafana").get("networks")));
        assertFalse(services.get("prometheus").has("ports"), "Prometheus is reached through Grafana only");
        // docker-compose 1 writes a port bound to an address in the short form, Compose 2 in the long one.
        JsonNode grafanaPort = services.get("grafana").get("ports").get(0);
        String hostIp = grafanaPort.isTextual() ? grafanaPort.asText().split(":")[0] : grafanaPort.path("host_ip").asText();
        assertEquals("127.0.0.1", hostIp, "Grafana is published on loopback only");
    }

    /**
     * The monitoring profile: Prometheus scrapes /q/metrics of the manager and of every model-server
     * at the address each is registered under, with deploy/prometheus/alerts.yml, and Grafana loads
     * the dashboard from a data source that is that Prometheus. Which metric names the dashboard and
     * the rules may use is MeshMetricsIT's business (model-manager), where real services run.
     */
    @Test
    void theMonitoringProfileScrapesEveryServiceAndProvisionsTheDashboard() throws Exception {
        JsonNode services = config(SETTINGS).get("services");
        assertEquals(Set.of("prometheus", "grafana"), profiled(services, "monitoring"));
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

        Map<String, Path> prometheusMounts = mounts(services.get("prometheus"));
        JsonNode prometheus = yaml.readTree(prometheusMounts.get("/etc/prometheus/prometheus.yml").toFile());
        Set<String> ruleFiles = new TreeSet<>();
        prometheus.get("rule_files").forEach(file -> ruleFiles.add(file.asText()));
        assertEquals(Set.of("/etc/prometheus/alerts.yml"), ruleFiles);
        assertTrue(yaml.readTree(prometheusMounts.get("/etc/prometheus/alerts.yml").toFile()).get("groups").size() > 0,
                "the mounted alerts.yml has rule groups");
        Set<String> scraped = new TreeSet<>();
        for (JsonNode job : prometheus.get("scrape_configs")) {
            assertEquals("/q/metrics", job.get("metrics_path").asText(), job.get("job_name").asText());
            job.get("static_configs").forEach(c -> c.get("targets").forEach(t -> scraped.add("http://" + t.asText())));
        }
        Set<String> expected = new TreeSet<>();
        expected.add(services.get("gateway").get("environment").get("MANAGER_URL").asText());
        for (String name : List.of("model-server-1", "model-server-2")) {
            expected.add(services.get(name).get("environment").get("QUIVER_REGISTRATION_ADVERTISED_URL").asText());
        }
        assertEquals(expected, scraped, "Prometheus scrapes the manager and every model-server");

        Map<String, Path> grafanaMounts = mounts(services.get("grafana"));
        Path provisioning = grafanaMounts.get("/etc/grafana/provisioning");
        JsonNode source = yaml.readTree(provisioning.resolve("datasources/prometheus.yaml").toFile()).get("datasources").get(0);
        assertEquals("http://prometheus:9090", source.get("url").asText());
        JsonNode provider = yaml.readTree(provisioning.resolve("dashboards/quiver.yaml").toFile()).get("providers").get(0);
        Path dashboards = grafanaMounts.get(provider.get("options").get("path").asText());
        JsonNode dashboard = new ObjectMapper().readTree(dashboards.resolve("quiver.json").toFile());
        JsonNode variable = dashboard.get("templating").get("list").get(0);
        assertEquals("datasource", variable.get("name").asText());
        assertEquals(source.get("uid").asText(), variable.get("current").get("value").asText(),
                "the dashboard starts on the provisioned data source");
    }

    /** Services that run without a profile: what `docker compose up` starts. */
    static Set<String> meshServices(JsonNode services) {
        Set<String> names = names(services);
        names.removeIf(name -> services.get(name).has("profiles"));
        return names;
    }

    static Set<String> profiled(JsonNode services, String profile) {
        Set<String> names = new TreeSet<>();
        services.fields().forEachRemaining(service -> service.getValue().path("profiles").forEach(p -> {
            if (p.asText().equals(profile)) {
                names.add(service.getKey());
            }
        }));
        return names;
    }

    /** A service's bind mounts, by the path in the container; each must exist in deploy/. */
    static Map<String, Path> mounts(JsonNode service) {
        Map<String, Path> mounts = new HashMap<>();
        for (JsonNode volume : service.get("volumes")) {
            String[] parts = volume.asText().split(":");
            if (parts[0].startsWith("/")) {
                Path source = Path.of(parts[0]);
                assertTrue(Files.exists(source), "mounted " + source + " exists");
                mounts.put(parts[1], source);
            }
        }
        return mounts;
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
            builder.environment().keySet().removeIf(key -> key.startsWith("QUIVER_") || key.startsWith("HTPASSWD") || key.startsWith("GATEWAY_")
                    || key.startsWith("GRAFANA_"));
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
