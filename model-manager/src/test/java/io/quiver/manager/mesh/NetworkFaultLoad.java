package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Concurrent clients calling the manager's /predict while the network to one replica fails, and the
 * figures a reader of docs/survival.md wants from each run: requests, failures, p50/p99/max latency,
 * the manager's retries and how they compare with its retry budget.
 */
final class NetworkFaultLoad {
    static final int CLIENTS = 8;
    private static final int HARD_CAP = 60_000;
    private static final int WARM_UP = 200;
    /** Requests sent once a replica is out, long enough for any stuck on it to have timed out. */
    private static final int WHILE_OUT = 300;
    private static final int REJOIN_REQUESTS = 20;
    /** The manager's defaults: retries may add 20% of the requests plus 10 a second. */
    private static final double BUDGET_RATIO = 0.2;
    private static final int BUDGET_PER_SECOND = 10;

    /** What one run measured. Times are System.nanoTime(); Long.MAX_VALUE when it did not happen. */
    record Figures(String test, List<Load.Request> results, double retries, double elapsedSeconds, long faultAt,
            long healedAt, String detected, double detectedAfterMillis, boolean breakerOpened,
            double rejoinedAfterMillis) {

        List<Load.Request> failures() {
            return Load.failures(results);
        }

        /** Requests sent while the fault was on. */
        List<Load.Request> duringFault() {
            return results.stream().filter(r -> r.startNanos() > faultAt && r.endNanos() < healedAt).toList();
        }

        double retryBudget() {
            return BUDGET_RATIO * results.size() + BUDGET_PER_SECOND * elapsedSeconds;
        }

        void print() {
            List<Load.Request> during = duringFault();
            System.out.printf("[mesh] %s: clients=%d requests=%d failures=%d p50=%dms p99=%dms max=%dms "
                            + "during_fault: requests=%d p50=%dms p99=%dms max=%dms spread=%s; retries=%.0f "
                            + "(budget %.0f) detected=%s after %.0fms breaker_opened=%s rejoined_after=%.0fms "
                            + "elapsed=%.1fs%n",
                    test, CLIENTS, results.size(), failures().size(), Load.percentileMillis(results, 0.5),
                    Load.percentileMillis(results, 0.99), Load.maxLatencyMillis(results), during.size(),
                    Load.percentileMillis(during, 0.5), Load.percentileMillis(during, 0.99),
                    Load.maxLatencyMillis(during), Load.spread(during, r -> true), retries, retryBudget(), detected,
                    detectedAfterMillis, breakerOpened, rejoinedAfterMillis, elapsedSeconds);
        }

        /** No client saw a failure, and the manager kept its retries within its budget. */
        void assertNoFailedRequestWithinTheRetryBudget() {
            List<Load.Request> failures = failures();
            assertEquals(List.of(), failures.stream().limit(20).toList(), failures.size() + " client requests failed");
            assertTrue(retries <= retryBudget(), "the manager retried " + retries + " times, beyond its budget of "
                    + retryBudget());
        }

        /**
         * What a cut-off replica must cost and no more: no failed request, none slower than
         * {@code maxLatencyMillis} (one timeout window), its breaker opened, and it served again
         * once its network healed.
         */
        void assertSurvivedAnOutageOf(Mesh mesh, String victim, long maxLatencyMillis) {
            assertNoFailedRequestWithinTheRetryBudget();
            long max = Load.maxLatencyMillis(results);
            assertTrue(max < maxLatencyMillis, "the slowest request took " + max + " ms: more than one timeout window");
            assertTrue(breakerOpened, victim + "'s breaker never opened while it was cut off; seen: " + detected);
            assertTrue(rejoinedAfterMillis >= 0, victim + " did not serve again after its network healed");
            assertEquals("healthy", mesh.health(victim).path("state").asText());
        }
    }

    private NetworkFaultLoad() {
    }

    /** What a scenario noted while it ran. Times are System.nanoTime(); Long.MAX_VALUE when it did not happen. */
    private static final class Marks {
        long faultAt = Long.MAX_VALUE;
        long healedAt = Long.MAX_VALUE;
        boolean breakerOpened;
        String detected = "-";
        double detectedAfterMillis = -1;
        double rejoinedAfterMillis = -1;
    }

    /** What happens once the clients are warmed up; the fault is healed afterwards whatever happened. */
    private interface Scenario {
        void play(Load load, Marks marks);
    }

    private static Figures run(String test, Mesh mesh, Runnable heal, Scenario scenario) throws Exception {
        Marks marks = new Marks();
        double retriesBefore = mesh.retries();
        List<Load.Request> results;
        double elapsed;
        try (Load load = new Load(mesh, CLIENTS, HARD_CAP, 42).start()) {
            try {
                load.awaitCompleted(WARM_UP, Duration.ofSeconds(60));
                scenario.play(load, marks);
            } finally {
                heal.run();
                results = load.stop(Duration.ofSeconds(30));
                elapsed = load.elapsedSeconds();
            }
        }
        Figures figures = new Figures(test, results, mesh.retries() - retriesBefore, elapsed, marks.faultAt,
                marks.healedAt, marks.detected, marks.detectedAfterMillis, marks.breakerOpened,
                marks.rejoinedAfterMillis);
        figures.print();
        return figures;
    }

    /**
     * The victim's network is cut under load: waits until the manager takes it out of rotation
     * (unhealthy, ejected or its breaker open), keeps the load on for {@value #WHILE_OUT} more
     * requests, heals the network and waits until the victim serves requests sent after that again.
     */
    static Figures outage(String test, Mesh mesh, String victim, Runnable cut, Runnable heal) throws Exception {
        return run(test, mesh, heal, (load, marks) -> {
            cut.run();
            marks.faultAt = System.nanoTime();
            JsonNode out = Mesh.await(victim + " taken out of rotation", Duration.ofSeconds(20), () -> {
                JsonNode health = mesh.health(victim);
                marks.breakerOpened |= health.path("circuit_breaker").asText().equals("OPEN");
                boolean gone = !health.path("state").asText().equals("healthy") || marks.breakerOpened;
                return gone ? Optional.of(health) : Optional.empty();
            });
            marks.detectedAfterMillis = (System.nanoTime() - marks.faultAt) / 1e6;
            marks.detected = out.path("state").asText() + "/breaker " + out.path("circuit_breaker").asText();
            long target = load.completed() + WHILE_OUT;
            Mesh.await(target + " requests completed", Duration.ofSeconds(60), () -> {
                marks.breakerOpened |= mesh.health(victim).path("circuit_breaker").asText().equals("OPEN");
                return load.completed() >= target;
            });
            heal.run();
            long healedAt = System.nanoTime();
            marks.healedAt = healedAt;
            Mesh.await(victim + " serves " + REJOIN_REQUESTS + " requests sent after the network healed",
                    Duration.ofSeconds(30), () -> Load.spread(load.results(), r -> r.startNanos() > healedAt)
                            .getOrDefault(victim, 0) >= REJOIN_REQUESTS);
            marks.rejoinedAfterMillis = (System.nanoTime() - healedAt) / 1e6;
        });
    }

    /** {@code requests} requests sent while the fault is on (after a warm-up without it), then healed. */
    static Figures degraded(String test, Mesh mesh, int requests, Runnable fault, Runnable heal) throws Exception {
        return run(test, mesh, heal, (load, marks) -> {
            fault.run();
            marks.faultAt = System.nanoTime();
            load.awaitCompleted(load.issued() + requests + CLIENTS, Duration.ofSeconds(120));
            marks.healedAt = System.nanoTime();
        });
    }

    /** Requests per replica among those sent while the fault was on. */
    static Map<String, Integer> spreadDuringFault(Figures figures) {
        return Load.spread(figures.duringFault(), r -> true);
    }
}
