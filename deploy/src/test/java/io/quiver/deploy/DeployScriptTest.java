package io.quiver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/k8s/deploy.sh against a stand-in for kubectl that records what it is asked (no cluster
 * runs here): the Secrets it makes, the overlay it applies, the rollouts it waits for, what it
 * tells the user, and that it leaves existing Secrets alone.
 */
class DeployScriptTest {

    static final Path SCRIPT = Manifests.K8S.resolve("deploy.sh");

    @TempDir
    Path dir;
    Path calls;

    @BeforeEach
    void fakeKubectl() throws Exception {
        calls = dir.resolve("calls");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path kubectl = bin.resolve("kubectl");
        Files.writeString(kubectl, """
                #!/usr/bin/env bash
                # Records each call, one line; answers as a reachable cluster would.
                printf '%s\\n' "$*" >> "$KUBECTL_CALLS"
                case "$*" in
                  version) exit 0 ;;
                  *"--dry-run=client -o yaml"*) printf 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: model-serving\\n' ;;
                  "apply -f -") cat > /dev/null ;;
                  *"get secret"*) [ -n "${SECRETS_EXIST:-}" ] ;;
                esac
                """);
        Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    record Run(int exit, String output, List<String> calls) {
    }

    Run deploy(Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
        builder.environment().put("KUBECTL_CALLS", calls.toString());
        builder.environment().remove("HTPASSWD_FILE");
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        return new Run(exit, output, Files.exists(calls) ? Files.readAllLines(calls) : List.of());
    }

    @Test
    void makesTheSecretsAppliesTheOverlayWaitsAndSaysHowToTryIt() throws Exception {
        Path users = Files.writeString(dir.resolve("users.htpasswd"), "alice:$apr1$x$y\n");
        Run run = deploy(Map.of("HTPASSWD_FILE", users.toString()), "t2-micro");
        assertEquals(0, run.exit(), run.output());

        String tokens = run.calls().stream().filter(c -> c.contains("create secret generic quiver-tokens")).findFirst()
                .orElseThrow(() -> new AssertionError("no quiver-tokens Secret made: " + run.calls()));
        Map<String, String> literals = new HashMap<>();
        Matcher literal = Pattern.compile("--from-literal=([a-z0-9-]+)=(\\S+)").matcher(tokens);
        while (literal.find()) {
            literals.put(literal.group(1), literal.group(2));
        }
        assertEquals(4, literals.size(), tokens);
        for (String role : List.of("control", "data")) {
            String token = literals.get(role + "-token");
            assertTrue(token.matches("[0-9a-f]{48}"), role + " token: 24 random bytes in hex, got " + token);
            assertEquals(sha256(token), literals.get(role + "-token-sha256"), "the manager gets the " + role + " token's SHA-256");
        }
        assertNotEquals(literals.get("control-token"), literals.get("data-token"));
        assertTrue(run.calls().contains("-n model-serving create secret generic quiver-gateway-users --from-file=htpasswd=" + users),
                run.calls().toString());

        int apply = run.calls().indexOf("apply -k " + Manifests.K8S.resolve("overlays/t2-micro"));
        assertTrue(apply > run.calls().indexOf(tokens), "the Secrets exist before the pods that read them: " + run.calls());
        for (String deployment : List.of("quiver-model-manager", "quiver-model-server", "quiver-gateway")) {
            int waited = run.calls().indexOf("-n model-serving rollout status deployment/" + deployment + " --timeout=300s");
            assertTrue(waited > apply, deployment + "'s rollout is waited for after the apply: " + run.calls());
        }
        assertTrue(run.output().contains("kubectl -n model-serving port-forward svc/quiver-gateway 8080:80"), run.output());
        assertTrue(!run.output().contains(literals.get("control-token")), "no token is printed");
    }

    @Test
    void leavesExistingSecretsAlone() throws Exception {
        Run run = deploy(Map.of("SECRETS_EXIST", "yes"), "production");
        assertEquals(0, run.exit(), run.output());
        assertTrue(run.calls().stream().noneMatch(c -> c.contains("create secret")), run.calls().toString());
        assertTrue(run.calls().contains("apply -k " + Manifests.K8S.resolve("overlays/production")), run.calls().toString());
    }

    @Test
    void makesAGatewayUserWhenNoUsersFileIsGiven() throws Exception {
        Run run = deploy(Map.of(), "t2-micro");
        assertEquals(0, run.exit(), run.output());
        Matcher password = Pattern.compile("the gateway's user is quiver, password ([0-9a-f]{48})").matcher(run.output());
        assertTrue(password.find(), run.output());
        assertTrue(run.calls().stream().anyMatch(c -> c.startsWith("-n model-serving create secret generic quiver-gateway-users --from-file=htpasswd=")),
                run.calls().toString());
    }

    @Test
    void namesTheOverlaysWhenGivenNoneOrAnUnknownOne() throws Exception {
        for (String[] args : List.of(new String[0], new String[] {"t3-large"})) {
            Run run = deploy(Map.of(), args);
            assertNotEquals(0, run.exit());
            assertTrue(run.output().contains("production") && run.output().contains("t2-micro"), run.output());
            assertEquals(List.of(), run.calls(), "nothing is sent to the cluster");
        }
    }

    static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
