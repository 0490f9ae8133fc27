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

    /** Told of each change of {@link #state()} a check or a request makes; called under this object's lock. */
    @FunctionalInterface
    public interface Transitions {
        Transitions NONE = (from, to, detail) -> { };

        void changed(State from, State to, String detail);
    }

    private final ManagerConfig.Health config;
    private final Transitions transitions;
    private boolean checkedHealthy = true;
    private int passedChecks;
    private int failedChecks;
    private int failedRequests;
    private Instant ejectedUntil = Instant.MIN;
    private Instant lastCheck;
    private String lastError;

    public ReplicaHealth(ManagerConfig.Health config) {
        this(config, Transitions.NONE);
    }

    public ReplicaHealth(ManagerConfig.Health config, Transitions transitions) {
        this.config = config;
        this.transitions = transitions;
    }

    public synchronized void checkPassed() {
        // An ejection whose time ran out still counts as one until a check confirms the service.
        State before = checkedHealthy && !ejectedUntil.equals(Instant.MIN) ? State.EJECTED : state();
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
        told(before, null);
    }

    public synchronized void checkFailed(String error) {
        State before = state();
        lastCheck = Instant.now();
        lastError = error;
        passedChecks = 0;
        failedChecks++;
        if (failedChecks >= config.unhealthyThreshold()) {
            checkedHealthy = false;
        }
        told(before, error);
    }

    public synchronized void requestSucceeded() {
        failedRequests = 0;
    }

    public synchronized void requestFailed(String error) {
        State before = state();
        lastError = error;
        failedRequests++;
        if (failedRequests >= config.ejectAfterFailures()) {
            ejectedUntil = Instant.now().plus(config.ejectionTime());
            failedRequests = 0;
        }
        told(before, error);
    }

    private void told(State before, String detail) {
        State now = state();
        if (now != before) {
            transitions.changed(before, now, detail);
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
