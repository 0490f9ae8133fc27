package io.quiver.manager.resilience;

/**
 * A failure that may say the service was busy rather than broken (a 503): worth a retry
 * elsewhere, but not held against the service's circuit breaker.
 */
public interface Overload {
    boolean overloaded();
}
