package io.quiver.manager.registry;

import io.quarkus.runtime.annotations.RegisterForReflection;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.Instant;

/** A service as the API shows it: its registration and what the manager knows of it now. */
@RegisterForReflection(ignoreNested = false)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServiceView(@JsonUnwrapped ServiceRecord registration, Health health) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Health(
            @JsonProperty("service_id") String serviceId,
            String state,
            boolean healthy,
            @JsonProperty("last_check") Instant lastCheck,
            @JsonProperty("last_error") String lastError,
            @JsonProperty("ejected_until") Instant ejectedUntil,
            @JsonProperty("in_flight") int inFlight,
            @JsonProperty("circuit_breaker") String circuitBreaker,
            @JsonProperty("last_heartbeat") Instant lastHeartbeat) {
    }

    public static ServiceView of(Replica replica) {
        return new ServiceView(replica.record(), health(replica));
    }

    public static Health health(Replica replica) {
        ReplicaHealth.Snapshot s = replica.health().snapshot();
        return new Health(replica.id(), s.state().name().toLowerCase(), s.state() == ReplicaHealth.State.HEALTHY,
                s.lastCheck(), s.lastError(), s.ejectedUntil(), replica.inFlight(), replica.breakerState(),
                replica.lastHeartbeat());
    }
}
