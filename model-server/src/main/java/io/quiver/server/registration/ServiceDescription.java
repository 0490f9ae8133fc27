package io.quiver.server.registration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.server.config.ServerConfig;
import io.quiver.server.serving.ModelInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the model-manager is told about this server: the JSON bodies of the register and heartbeat
 * calls, built from the model versions loaded at the time of the call.
 */
final class ServiceDescription {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServiceIdentity identity;
    private final ServerConfig.Registration settings;

    ServiceDescription(ServiceIdentity identity, ServerConfig.Registration settings) {
        this.identity = identity;
        this.settings = settings;
    }

    byte[] registration(List<ModelInfo> loaded) {
        List<String> types = modelTypes(loaded);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service_id", identity.serviceId());
        body.put("service_url", identity.serviceUrl());
        body.put("grpc_url", identity.grpcUrl());
        body.put("model_type", modelType(loaded, types, identity.serviceId()));
        body.put("model_types", types);
        body.put("capabilities", settings.capabilities());
        body.put("models", models(loaded));
        settings.maxConcurrentRequests().ifPresent(n -> body.put("max_concurrent_requests", n));
        settings.timeout().ifPresent(t -> body.put("timeout", wholeSeconds(t)));
        body.put("lease_seconds", leaseSeconds(settings.heartbeatInterval()));
        return write(body);
    }

    byte[] heartbeat(List<ModelInfo> loaded) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model_types", modelTypes(loaded));
        body.put("models", models(loaded));
        return write(body);
    }

    /**
     * Every name {@code /predict} accepts as {@code model_type}: each model's declared type and each
     * model's name, sorted and without repeats.
     */
    static List<String> modelTypes(List<ModelInfo> loaded) {
        TreeSet<String> types = new TreeSet<>();
        for (ModelInfo info : loaded) {
            types.add(info.modelType());
            types.add(info.name());
        }
        return new ArrayList<>(types);
    }

    /**
     * The single type the manager's original schema has room for: the declared type when all models
     * share one, else the first of {@code types}, else (nothing loaded) the service id, as the
     * manager requires a value.
     */
    static String modelType(List<ModelInfo> loaded, List<String> types, String serviceId) {
        TreeSet<String> declared = new TreeSet<>();
        loaded.forEach(info -> declared.add(info.modelType()));
        if (declared.size() == 1) {
            return declared.first();
        }
        return types.isEmpty() ? serviceId : types.get(0);
    }

    static List<Map<String, String>> models(List<ModelInfo> loaded) {
        List<Map<String, String>> models = new ArrayList<>(loaded.size());
        for (ModelInfo info : loaded) {
            Map<String, String> model = new LinkedHashMap<>();
            model.put("name", info.name());
            model.put("version", info.version());
            model.put("model_type", info.modelType());
            models.add(model);
        }
        return models;
    }

    /**
     * Three heartbeats, so that one or two lost on the way do not expire the registration; whole
     * seconds, rounded up, because the manager reads an integer.
     */
    static long leaseSeconds(Duration heartbeatInterval) {
        return wholeSeconds(heartbeatInterval.multipliedBy(3));
    }

    /** Rounded up and at least 1, so that a sub-second setting never reaches the manager as 0. */
    static long wholeSeconds(Duration duration) {
        long millis = duration.toMillis();
        return Math.max(1, (millis + 999) / 1000);
    }

    private static byte[] write(Map<String, Object> body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write registration JSON", e);
        }
    }
}
