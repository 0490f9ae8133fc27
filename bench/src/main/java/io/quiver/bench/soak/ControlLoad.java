package io.quiver.bench.soak;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The control half of the soak's load, one operation at a time on one thread, on a fixed schedule
 * of seconds since the start (the data half is {@link io.quiver.bench.OpenLoop}'s open loops):
 * <ul>
 * <li>a service registered with the manager every 10 s and removed 5 s later;
 * <li>the experiment {@code default}'s weights changed every 15 s, while its A/B endpoint takes load;
 * <li>on the steady replica, every 20 s, one of the models no prediction asks for loaded or
 * unloaded through the repository API; its memory budget holds two of them, so each load of a
 * third evicts the least recently used;
 * <li>a training job submitted through the manager every 30 s (unless one is still running),
 * followed until it ends, and the version it published before retired once the new one is up,
 * so the repository and the replica's memory do not grow with the run.
 * </ul>
 * Each operation is a request recorded under its name with its latency; an answer with another
 * status than the operation expects is a failure named by the status, a training job that ends
 * {@code failed} one named {@code job-failed}. These are rare calls, so the JDK's client (as
 * {@link io.quiver.bench.ZipfLoad} uses) costs nothing that matters.
 */
final class ControlLoad implements Runnable {
    static final String EXPERIMENT = "default";
    static final String EXTRA_SERVICE = "soak-extra";
    static final String TRAINED_MODEL = "soak_forecast";
    /** Models no prediction stream asks for, cycled through the steady replica's repository API. */
    static final List<String> CYCLED_MODELS = List.of("fraud_classifier", "lstm_forecaster", "multi_input");
    private static final String SERIES = "[0.00, 0.12, 0.24, 0.35, 0.46, 0.56, 0.66, 0.74, 0.82, 0.88, 0.93, 0.97,"
            + " 0.99, 1.00, 0.99, 0.97, 0.94, 0.89, 0.83, 0.76, 0.68, 0.58, 0.48, 0.37, 0.26, 0.14, 0.02, -0.10]";
    private static final String[][] WEIGHTS = {{"80", "20"}, {"50", "50"}, {"20", "80"}};

    private final HttpClient client;
    private final String manager;
    private final String steady;
    private final Ledger ledger;
    private final long startNanos;
    private final long endNanos;
    private final boolean[] loaded = new boolean[CYCLED_MODELS.size()];
    private String job;
    private String publishedVersion;

    ControlLoad(HttpClient client, String manager, String steady, Ledger ledger, long startNanos, long endNanos) {
        this.client = client;
        this.manager = manager;
        this.steady = steady;
        this.ledger = ledger;
        this.startNanos = startNanos;
        this.endNanos = endNanos;
    }

    /** The experiment the A/B stream asks: house_price's two versions, split 80/20. */
    static void setUp(HttpClient client, String manager, Ledger ledger) {
        new ControlLoad(client, manager, null, ledger, 0, 0).call("experiment-create", "PUT",
                manager + "/experiments/" + EXPERIMENT, """
                {"variants": [
                  {"name": "a", "model_type": "regression", "model_version": "1", "weight": 80},
                  {"name": "b", "model_type": "regression", "model_version": "2", "weight": 20}]}""",
                Set.of(200, 201));
    }

    @Override
    public void run() {
        for (long second = 0; ; second++) {
            long due = startNanos + second * 1_000_000_000L;
            if (due >= endNanos) {
                return;
            }
            for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                LockSupport.parkNanos(due - now);
            }
            try {
                tick(second);
            } catch (RuntimeException e) {
                // A surprise in the harness must not end the control load for the rest of the run.
                ledger.fail("control-harness", e.toString());
            }
        }
    }

    private void tick(long second) {
        if (second % 10 == 0) {
            call("register", "POST", manager + "/services/register", """
                    {"service_id": "%s", "service_url": "%s", "model_type": "soak_extra",
                     "capabilities": ["prediction"], "timeout": 5}""".formatted(EXTRA_SERVICE, steady),
                    Set.of(200, 201));
        } else if (second % 10 == 5) {
            call("deregister", "DELETE", manager + "/services/" + EXTRA_SERVICE, null, Set.of(200, 204));
        }
        if (second % 15 == 7) {
            String[] weights = WEIGHTS[(int) (second / 15 % WEIGHTS.length)];
            call("experiment-weights", "PATCH", manager + "/experiments/" + EXPERIMENT,
                    "{\"weights\": {\"a\": %s, \"b\": %s}}".formatted(weights[0], weights[1]), Set.of(200));
        }
        if (second % 20 == 3) {
            int index = (int) (second / 20 % CYCLED_MODELS.size());
            String model = CYCLED_MODELS.get(index);
            String action = loaded[index] ? "unload" : "load";
            if (call("model-" + action, "POST", steady + "/v2/repository/models/" + model + "/" + action, "{}",
                    Set.of(200)) != null) {
                loaded[index] = !loaded[index];
            }
        }
        if (job != null) {
            follow();
        } else if (second % 30 == 12) {
            String answer = call("train-submit", "POST", manager + "/train", """
                    {"model_type": "%s", "config": {"algorithm": "linear-autoregression", "window": 4,
                     "hyperparameters": {"epochs": 20}, "data": %s}}""".formatted(TRAINED_MODEL, SERIES),
                    Set.of(202));
            job = answer == null ? null : field(answer, "job_id");
        }
    }

    /** One look at the running job; once it has published, the version before it is retired. */
    private void follow() {
        String answer = call("train-status", "GET", manager + "/train/" + job, null, Set.of(200));
        if (answer == null) {
            job = null;
            return;
        }
        String state = field(answer, "state");
        if ("failed".equals(state) || "cancelled".equals(state)) {
            ledger.fail("train-job", "job-" + state);
            job = null;
        } else if ("succeeded".equals(state)) {
            String version = field(answer, "version");
            if (publishedVersion != null) {
                call("version-retire", "DELETE", manager + "/models/" + TRAINED_MODEL + "/versions/" + publishedVersion,
                        null, Set.of(200));
            }
            publishedVersion = version;
            job = null;
        }
    }

    private static String field(String json, String name) {
        try {
            return new JsonObject(json).getString(name);
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
    }

    /** Makes one call and records it; the body of an expected answer, or null. */
    private String call(String name, String method, String url, String body, Set<Integer> expected) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            boolean ok = expected.contains(response.statusCode());
            ledger.record(name, (System.nanoTime() - start) / 1000, ok ? null : "http-" + response.statusCode());
            if (!ok) {
                ledger.note(name + " " + method + " " + url + ": " + response.statusCode() + " " + response.body());
            }
            return ok ? response.body() : null;
        } catch (IOException e) {
            ledger.record(name, (System.nanoTime() - start) / 1000, "error");
            ledger.note(name + " " + method + " " + url + ": " + e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
