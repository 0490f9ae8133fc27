package io.quiver.manager.routing;

import io.quiver.manager.config.ManagerConfig;
import io.quiver.manager.registry.Replica;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Picks the service for the next attempt among those serving a type: healthy, not ejected, breaker
 * not open, weight above 0, under its max_concurrent_requests, and not already tried for this
 * request. Round-robin by default; least-requests compares two random candidates (power of two
 * choices), which is close to the best choice at a fraction of the cost of scanning all.
 * The chosen service's concurrency slot is taken when asked for; the caller releases it.
 */
@Singleton
public class ReplicaSelector {
    private final boolean leastRequests;
    private final int defaultLimit;
    private final Map<String, AtomicInteger> cursors = new ConcurrentHashMap<>();

    ReplicaSelector(ManagerConfig config) {
        String strategy = config.routing().strategy().toLowerCase(Locale.ROOT).replace('-', '_');
        if (!strategy.equals("round_robin") && !strategy.equals("least_requests")) {
            throw new IllegalArgumentException("LOAD_BALANCING_STRATEGY must be round_robin or least_requests, not "
                    + config.routing().strategy());
        }
        this.leastRequests = strategy.equals("least_requests");
        this.defaultLimit = config.routing().defaultMaxConcurrentRequests();
    }

    public Optional<Replica> pick(String type, List<Replica> serving, Set<String> tried, boolean takeSlot) {
        if (serving.isEmpty()) {
            return Optional.empty();
        }
        if (leastRequests) {
            Optional<Replica> best = twoChoices(serving, tried, takeSlot);
            if (best.isPresent()) {
                return best;
            }
        }
        // Rotate over the eligible services only: skipping an ineligible one within the full list
        // would hand its whole share to the service after it.
        List<Replica> eligible = eligible(serving, tried);
        int m = eligible.size();
        int start = m == 0 ? 0 : Math.floorMod(cursor(type).getAndIncrement(), m);
        for (int i = 0; i < m; i++) {
            Replica candidate = eligible.get((start + i) % m);
            if (!takeSlot || candidate.tryAcquire(limit(candidate))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The eligible ones of {@code serving}. */
    private static List<Replica> eligible(List<Replica> serving, Set<String> tried) {
        return allOrMatching(serving, r -> eligible(r, tried));
    }

    /**
     * The replicas that {@code keep}: the list itself when all do, as they nearly always do, so
     * that the data path copies no list per request.
     */
    static List<Replica> allOrMatching(List<Replica> replicas, Predicate<Replica> keep) {
        for (Replica replica : replicas) {
            if (!keep.test(replica)) {
                return replicas.stream().filter(keep).toList();
            }
        }
        return replicas;
    }

    /** The type's round-robin position, keyed in lower case; a name already so is not copied. */
    private AtomicInteger cursor(String type) {
        AtomicInteger cursor = cursors.get(type);
        return cursor != null ? cursor : cursors.computeIfAbsent(type.toLowerCase(Locale.ROOT), t -> new AtomicInteger());
    }

    private Optional<Replica> twoChoices(List<Replica> serving, Set<String> tried, boolean takeSlot) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Replica a = serving.get(random.nextInt(serving.size()));
        Replica b = serving.get(random.nextInt(serving.size()));
        Replica first = a.inFlight() <= b.inFlight() ? a : b;
        Replica second = first == a ? b : a;
        for (Replica candidate : List.of(first, second)) {
            if (eligible(candidate, tried) && (!takeSlot || candidate.tryAcquire(limit(candidate)))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Whether a service could take the request, ignoring only its concurrency limit. */
    public static boolean eligible(Replica replica, Set<String> tried) {
        Integer weight = replica.record().weight();
        return !tried.contains(replica.id())
                && (weight == null || weight > 0)
                && !"OPEN".equals(replica.breakerState())
                && replica.health().available();
    }

    public int limit(Replica replica) {
        Integer limit = replica.record().maxConcurrentRequests();
        return limit != null ? limit : defaultLimit;
    }
}
