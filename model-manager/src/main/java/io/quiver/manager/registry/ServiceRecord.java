package io.quiver.manager.registry;

import io.quarkus.runtime.annotations.RegisterForReflection;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quiver.common.json.WireErrors;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;
import java.util.List;

/**
 * A registered service as reference document 003 describes it, plus what a model-server reports
 * of itself: every type and model it serves, and the lease its heartbeats renew.
 *
 * @param timeout      seconds a forwarded request may take; null for the manager's default
 * @param weight       share of traffic relative to its peers; 0 takes no new requests
 * @param leaseSeconds when set, the service expires unless a heartbeat arrives within this time
 * @param grpcUrl      where it serves the Open Inference Protocol over gRPC, when not at serviceUrl
 */
@RegisterForReflection(ignoreNested = false)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServiceRecord(
        @JsonProperty("service_id") String serviceId,
        @JsonProperty("service_url") String serviceUrl,
        @JsonProperty("model_type") String modelType,
        @JsonProperty("model_types") List<String> modelTypes,
        List<String> capabilities,
        List<ServedModel> models,
        @JsonProperty("max_concurrent_requests") Integer maxConcurrentRequests,
        Double timeout,
        Integer weight,
        @JsonProperty("lease_seconds") Integer leaseSeconds,
        @JsonProperty("registered_at") Instant registeredAt,
        @JsonProperty("grpc_url") String grpcUrl) {

    public ServiceRecord(String serviceId, String serviceUrl, String modelType, List<String> modelTypes,
                         List<String> capabilities, List<ServedModel> models, Integer maxConcurrentRequests,
                         Double timeout, Integer weight, Integer leaseSeconds, Instant registeredAt) {
        this(serviceId, serviceUrl, modelType, modelTypes, capabilities, models, maxConcurrentRequests, timeout, weight,
                leaseSeconds, registeredAt, null);
    }

    /** Where gRPC calls go: the advertised gRPC address, else the service URL, whose port carries both. */
    public String grpcAddress() {
        return grpcUrl != null ? grpcUrl : serviceUrl;
    }

    public record ServedModel(@NotNull(message = WireErrors.REQUIRED) String name, String version,
                              @JsonProperty("model_type") String modelType) {
    }

    /** Whether a request for {@code type} may go here: its declared type, any type it reports, or a model name. */
    public boolean serves(String type) {
        if (modelType.equalsIgnoreCase(type)) {
            return true;
        }
        return modelTypes.stream().anyMatch(t -> t.equalsIgnoreCase(type));
    }

    public boolean can(String capability) {
        return capabilities.contains(capability);
    }

    public ServiceRecord withModels(List<String> types, List<ServedModel> served) {
        return new ServiceRecord(serviceId, serviceUrl, modelType, types, capabilities, served, maxConcurrentRequests,
                timeout, weight, leaseSeconds, registeredAt, grpcUrl);
    }
}
