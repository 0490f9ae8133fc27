package io.quiver.manager.registry;

import io.quiver.manager.config.ManagerConfig;
import java.time.Instant;

/**
 * What the manager believes of one service's health, from two sources: active checks (a run of
 * failed checks makes it unhealthy, a run of passed ones healthy again) and live traffic (a run of
 * failed requests ejects it for a while; a passed check brings it back early).
 */
public final class ReplicaHealth {
    public enum State { HEALTHY, UNHEALTHY, EJECTED }

    private final ManagerConfig.Health config;
    private boolean checkedHealthy = true;
    private int passedChecks;
    private int failedChecks;
    private int failedRequests;
    private Instant ejectedUntil = Instant.MIN;
    private Instant lastCheck;
    private String lastError;

    public ReplicaHealth(ManagerConfig.Health config) {
        this.config = config;
    }

    public synchronized void checkPassed() {
        lastCheck = Instant.now();
        failedChecks = 0;
        passedChecks++;
        if (!checkedHealthy && passedChecks >= config.healthyThreshold()) {
            checkedHealthy = true;
        }
        if (checkedHealthy) {
            ejectedUntil = Instant.MIN;
            failedRequests = 0;
        }
    }

    public synchronized void checkFailed(String error) {
        lastCheck = Instant.now();
        lastError = error;
        passedChecks = 0;
        failedChecks++;
        if (failedChecks >= config.unhealthyThreshold()) {
            checkedHealthy = false;
        }
    }

    public synchronized void requestSucceeded() {
        failedRequests = 0;
    }

    public synchronized void requestFailed(String error) {
        lastError = error;
        failedRequests++;
        if (failedRequests >= config.ejectAfterFailures()) {
            ejectedUntil = Instant.now().plus(config.ejectionTime());
            failedRequests = 0;
        }
    }

    /** Whether the service may take traffic now. */
    public synchronized boolean available() {
        return checkedHealthy && Instant.now().isAfter(ejectedUntil);
    }

    public synchronized State state() {
        if (!checkedHealthy) {
            return State.UNHEALTHY;
        }
        return Instant.now().isAfter(ejectedUntil) ? State.HEALTHY : State.EJECTED;
    }

    public synchronized Snapshot snapshot() {
        Instant until = state() == State.EJECTED ? ejectedUntil : null;
        return new Snapshot(state(), lastCheck, lastError, until);
    }

    /** Read-only view for the API. */
    public record Snapshot(State state, Instant lastCheck, String lastError, Instant ejectedUntil) {
    }

}
