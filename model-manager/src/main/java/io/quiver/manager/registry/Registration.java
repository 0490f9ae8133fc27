package io.quiver.manager.registry;

import io.quiver.common.error.BadRequestException;
import io.quiver.manager.registry.ServiceRecord.ServedModel;
import io.quiver.common.json.WireErrors;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A registration as {@code POST /services/register} and each entry of the services file take it.
 * Fields are required and bounded by their constraints; what needs the value to say what is wrong
 * (the id's characters, the URL, blank names) is checked as the record is made, with the same words
 * for the API and the file.
 */
@Schema(description = "A service to route to (reference document 003), with what a model-server reports of itself")
public record Registration(
        @NotNull(message = WireErrors.REQUIRED) @Schema(examples = "lstm_model") String serviceId,
        @NotNull(message = WireErrors.REQUIRED) @Schema(examples = "http://localhost:8000") String serviceUrl,
        @NotNull(message = WireErrors.REQUIRED) @Schema(examples = "LSTM") String modelType,
        @Schema(description = "every other type it serves") List<String> modelTypes,
        @Schema(description = "what it may be sent; prediction when absent", examples = "[\"prediction\", \"training\"]")
        List<String> capabilities,
        List<@Valid ServedModel> models,
        @Min(value = 1, message = "must be a whole number of at least 1") Integer maxConcurrentRequests,
        @DecimalMin(value = "0", inclusive = false, message = SECONDS) @DecimalMax(value = "86400", message = SECONDS)
        @Schema(description = "seconds a forwarded request may take") Double timeout,
        @Min(value = 0, message = "must be a whole number of at least 0")
        @Schema(description = "share of traffic relative to its peers; 0 takes no new requests") Integer weight,
        @Min(value = 1, message = "must be a whole number of at least 1")
        @Schema(description = "when set, the service expires unless a heartbeat arrives within this time")
        Integer leaseSeconds,
        @Schema(description = "where it serves the Open Inference Protocol over gRPC; service_url when absent, "
                + "for a service that serves both on one port (a model-server sends its own gRPC port)",
                examples = "http://localhost:9000") String grpcUrl) {
    static final String SECONDS = "must be a number of seconds above 0 and at most 86400";
    /**
     * Ids under this prefix are the model-servers discovered from Kubernetes (quiver.manager.discovery),
     * which a resync removes when no pod backs them, so nothing else may register under it.
     */
    public static final String DISCOVERED_PREFIX = "k8s:";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:\\-]{0,127}");

    public Registration {
        if (serviceId != null && !ID.matcher(serviceId).matches()) {
            throw new BadRequestException("service_id '" + serviceId + "' may hold only letters, digits, '_', '-', "
                    + "'.' and ':', start with a letter or digit, and be at most 128 characters");
        }
        serviceUrl = serviceUrl == null ? null : url("service_url", serviceUrl);
        grpcUrl = grpcUrl == null ? null : url("grpc_url", grpcUrl);
        if (modelType != null && modelType.isBlank()) {
            throw new BadRequestException("model_type must not be empty");
        }
        modelTypes = Heartbeat.names("model_types", modelTypes);
        capabilities = capabilities == null ? List.of("prediction") : Heartbeat.names("capabilities", capabilities);
        models = models == null ? List.of() : List.copyOf(models);
    }

    public Registration(String serviceId, String serviceUrl, String modelType, List<String> modelTypes,
                        List<String> capabilities, List<ServedModel> models, Integer maxConcurrentRequests,
                        Double timeout, Integer weight, Integer leaseSeconds) {
        this(serviceId, serviceUrl, modelType, modelTypes, capabilities, models, maxConcurrentRequests, timeout, weight,
                leaseSeconds, null);
    }

    /** This registration as the API and the services file may take it: not under discovery's prefix. */
    public Registration fromOutsideDiscovery() {
        if (serviceId != null && serviceId.startsWith(DISCOVERED_PREFIX)) {
            throw new BadRequestException("service_id '" + serviceId + "' starts with '" + DISCOVERED_PREFIX
                    + "', which is kept for model-servers discovered from Kubernetes; choose another id");
        }
        return this;
    }

    /** The registry's record of this registration, made at {@code now}. */
    public ServiceRecord toRecord(Instant now) {
        Set<String> types = new LinkedHashSet<>(modelTypes);
        Heartbeat.addModelNames(types, models);
        return new ServiceRecord(serviceId, serviceUrl, modelType, List.copyOf(types), capabilities, models,
                maxConcurrentRequests, timeout, weight, leaseSeconds, now, grpcUrl);
    }

    private static String url(String field, String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new BadRequestException(field + " '" + text + "' must be an http or https URL");
            }
            if (uri.getHost() == null) {
                throw new BadRequestException(field + " '" + text + "' has no host");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new BadRequestException(field + " '" + text + "' must not have a query or fragment");
            }
            return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        } catch (URISyntaxException e) {
            throw new BadRequestException(field + " '" + text + "' is not a valid URL: " + e.getReason());
        }
    }
}
