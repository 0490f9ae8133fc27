package io.quiver.manager.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.manager.routing.Forwarder;
import io.quiver.manager.routing.Upstream;
import io.quiver.manager.deployments.DeploymentBackend.Reported;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether a deployment's model-server serves its model, from its own readiness report
 * ({@code GET /ready}), asked through the manager's one HTTP client.
 */
final class Readiness {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final long POLL_MILLIS = 100;

    private final Forwarder forwarder;
    private final DeploymentBackend backend;
    private final Duration readyTimeout;

    Readiness(Forwarder forwarder, DeploymentBackend backend, Duration readyTimeout) {
        this.forwarder = forwarder;
        this.backend = backend;
        this.readyTimeout = readyTimeout;
    }

    /** Whether it answers ready now with its model loaded: what a process must show to be adopted. */
    boolean serving(DeploymentBackend.Instance instance) {
        Reported probe = probe(instance);
        return probe.ready() && probe.failure() == null;
    }

    /** Whether the platform reports it still starting: neither ready nor failed. */
    boolean starting(DeploymentBackend.Instance instance) {
        return instance.reported().map(r -> !r.ready() && r.failure() == null).orElse(false);
    }

    /**
     * Polls the model-server's readiness until it is ready, has exited, or the ready timeout passed.
     * Ready with its model failed to load counts as failed, with the model-server's reason.
     */
    String awaitReady(DeploymentName name, DeploymentBackend.Instance instance) {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!instance.alive()) {
                return "the model-server exited before it was ready; " + logTail(name);
            }
            Reported probe = probe(instance);
            if (probe.ready() || probe.failure() != null) {
                return probe.failure();
            }
            try {
                // Wakes at once when the process exits rather than after the pause.
                instance.onExit().get(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                // Still running: poll again.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while waiting for it to be ready";
            }
        }
        return "the model-server was not ready within " + readyTimeout + "; " + logTail(name);
    }

    /**
     * What the platform reports; when it reports nothing, what {@code GET /ready} said: not yet,
     * ready, or ready with the model failed (and why).
     */
    private Reported probe(DeploymentBackend.Instance instance) {
        java.util.Optional<Reported> reported = instance.reported();
        if (reported.isPresent()) {
            return reported.get();
        }
        Upstream answer;
        try {
            answer = forwarder.send(instance.url(), HttpMethod.GET, "/ready", "deployment-probe", null, null,
                    PROBE_TIMEOUT.toMillis()).toCompletableFuture().get(PROBE_TIMEOUT.toMillis() + 500,
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reported(false, null);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // Not listening yet, or still loading (503).
            return new Reported(false, null);
        }
        if (answer.status() != 200) {
            return new Reported(false, null);
        }
        return new Reported(true, loadFailure(answer.body()));
    }

    /** The model-server's own reason from its readiness report when its model did not load; null when it did. */
    static String loadFailure(byte[] readiness) {
        try {
            JsonNode report = JSON.readTree(readiness);
            List<String> reasons = new ArrayList<>();
            boolean loadedNone = false;
            for (JsonNode check : report.path("checks")) {
                JsonNode data = check.path("data");
                data.fields().forEachRemaining(field -> {
                    if (field.getKey().startsWith("failed:")) {
                        reasons.add(field.getKey().substring("failed:".length()) + ": " + field.getValue().asText());
                    }
                });
                loadedNone |= data.has("loaded") && data.path("loaded").asInt() == 0;
            }
            if (!reasons.isEmpty()) {
                return "the model-server could not load it: " + String.join("; ", reasons);
            }
            return loadedNone ? "the model-server loaded no model" : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The last lines of the deployment's log, for a failure's reason. */
    String logTail(DeploymentName name) {
        Path log = Path.of(backend.logOf(name));
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - 3), lines.size());
            return "last lines of " + log + ": " + String.join(" | ", tail);
        } catch (IOException | java.io.UncheckedIOException e) {
            return "see " + log;
        }
    }

}
