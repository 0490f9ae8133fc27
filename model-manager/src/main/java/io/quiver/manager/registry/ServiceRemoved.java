package io.quiver.manager.registry;

/** Fired when a service leaves the registry (deregistered, expired), so per-service state can go too. */
public record ServiceRemoved(String serviceId) {
}
