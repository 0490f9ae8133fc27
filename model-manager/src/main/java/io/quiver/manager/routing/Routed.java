package io.quiver.manager.routing;

/** The answer a client gets, and which service gave it (empty when none did). */
public record Routed(Upstream answer, String servedBy) {
}
