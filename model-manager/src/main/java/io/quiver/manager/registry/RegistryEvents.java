package io.quiver.manager.registry;

import io.quarkus.runtime.annotations.RegisterForReflection;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What happened to the registry lately, newest last, for the dashboard: services registered,
 * removed or expired, and turning unhealthy, ejected or restored. The last {@link #KEPT} only, in
 * memory: the log has every one, and a restarted manager starts a new list.
 */
@Singleton
public class RegistryEvents {
    static final int KEPT = 200;

    /** One change, as the dashboard lists it. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Event(Instant at,
                        @Schema(description = "registered, removed, expired, unhealthy, ejected or restored") String kind,
                        @JsonProperty("service_id") String serviceId,
                        @Schema(description = "why, when known: the failure that made it unhealthy or ejected it") String detail) {
    }

    private final Deque<Event> events = new ArrayDeque<>(KEPT);

    public synchronized void add(String kind, String serviceId, String detail) {
        if (events.size() == KEPT) {
            events.removeFirst();
        }
        events.addLast(new Event(Instant.now(), kind, serviceId, detail));
    }

    /** The most recent {@code limit} events, oldest first. */
    public synchronized List<Event> recent(int limit) {
        List<Event> all = new ArrayList<>(events);
        return List.copyOf(all.subList(Math.max(0, all.size() - limit), all.size()));
    }

    /** Tells this list of a service's changes of health; ReplicaHealth calls it under its own lock only. */
    ReplicaHealth.Transitions transitionsOf(String serviceId) {
        return (from, to, detail) -> add(switch (to) {
            case HEALTHY -> "restored";
            case UNHEALTHY -> "unhealthy";
            case EJECTED -> "ejected";
        }, serviceId, to == ReplicaHealth.State.HEALTHY ? "was " + from.name().toLowerCase() : detail);
    }
}
