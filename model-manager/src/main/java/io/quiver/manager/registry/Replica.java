package io.quiver.manager.registry;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registered service with what the manager tracks of it at run time: health, requests in
 * flight, the circuit breaker's state and the last heartbeat. The record is replaced, not changed,
 * when the service registers again or reports new models.
 */
public final class Replica {
    private volatile ServiceRecord record;
    private final ReplicaHealth health;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Instant lastHeartbeat = Instant.now();
    private volatile String breakerState = "CLOSED";
    private final RecentTraffic traffic = new RecentTraffic();

    Replica(ServiceRecord record, ReplicaHealth health) {
        this.record = record;
        this.health = health;
    }

    public ServiceRecord record() {
        return record;
    }

    void record(ServiceRecord record) {
        this.record = record;
    }

    public String id() {
        return record.serviceId();
    }

    public ReplicaHealth health() {
        return health;
    }

    /** Takes a slot under the service's concurrency limit, or returns false when it is full. */
    public boolean tryAcquire(int limit) {
        while (true) {
            int now = inFlight.get();
            if (now >= limit) {
                return false;
            }
            if (inFlight.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    public void release() {
        inFlight.decrementAndGet();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Requests, errors and latency of the last minutes, for the dashboard. */
    public RecentTraffic traffic() {
        return traffic;
    }

    public Instant lastHeartbeat() {
        return lastHeartbeat;
    }

    void heartbeat() {
        lastHeartbeat = Instant.now();
    }

    public String breakerState() {
        return breakerState;
    }

    public void breakerState(String state) {
        this.breakerState = state;
    }

    /** Whether its lease ran out: it promised heartbeats and sent none for lease_seconds. */
    boolean expired(Instant now) {
        Integer lease = record.leaseSeconds();
        return lease != null && lastHeartbeat.plusSeconds(lease).isBefore(now);
    }
}
