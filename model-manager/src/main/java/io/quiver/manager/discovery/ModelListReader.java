package io.quiver.manager.discovery;

import io.quiver.common.http.BlockingGet;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.manager.registry.Registration;
import io.quiver.manager.registry.ServiceRecord.ServedModel;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Reads what a model-server pod serves from its {@code GET /v1/models} (reference document 002's
 * listing, which names each model's type) and makes of it the registration the server would send
 * itself, so that a discovered server is routed to exactly as a self-registered one. Over Vert.x,
 * the client the manager forwards and checks health with.
 */
final class ModelListReader implements AutoCloseable {
    private final HttpClient client;
    private final ObjectMapper json;
    private final Duration timeout;
    private final List<String> capabilities;

    ModelListReader(Vertx vertx, ObjectMapper json, DiscoveryConfig config) {
        this.json = json;
        this.timeout = config.modelListTimeout();
        this.capabilities = config.capabilities();
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) timeout.toMillis())
                .setKeepAlive(true));
    }

    /** The registration of {@code pod}; waits at most the model-list timeout. */
    Registration registration(DiscoveredPod pod) throws IOException, InterruptedException {
        URI base = URI.create(pod.url());
        RequestOptions options = new RequestOptions()
                .setHost(base.getHost())
                .setPort(base.getPort())
                .setURI("/v1/models")
                .putHeader("Accept", "application/json");
        BlockingGet.Answer answer;
        try {
            answer = BlockingGet.send(client, options, timeout);
        } catch (IOException e) {
            throw new IOException("GET /v1/models: " + e.getMessage(), e.getCause());
        }
        if (answer.status() != 200) {
            throw new IOException("GET /v1/models answered HTTP " + answer.status());
        }
        byte[] body = answer.body();
        return registration(pod, models(json.readTree(body)));
    }

    static List<ServedModel> models(JsonNode listing) throws IOException {
        JsonNode models = listing.path("models");
        if (!models.isArray()) {
            throw new IOException("GET /v1/models answered no \"models\" array");
        }
        List<ServedModel> served = new ArrayList<>();
        for (JsonNode model : models) {
            String name = model.path("name").asText("");
            if (name.isBlank()) {
                throw new IOException("GET /v1/models lists a model without a name");
            }
            String type = model.path("model_type").asText("");
            served.add(new ServedModel(name, model.path("version").asText(null), type.isBlank() ? null : type));
        }
        return served;
    }

    /**
     * The types are every model's type and name, and the one {@code model_type} the declared type
     * when all models share one, as the model-server's own registration has them.
     */
    Registration registration(DiscoveredPod pod, List<ServedModel> models) {
        TreeSet<String> types = new TreeSet<>();
        TreeSet<String> declared = new TreeSet<>();
        for (ServedModel model : models) {
            types.add(model.name());
            if (model.modelType() != null) {
                types.add(model.modelType());
                declared.add(model.modelType());
            }
        }
        String modelType = declared.size() == 1 ? declared.first() : types.isEmpty() ? pod.serviceId() : types.first();
        return new Registration(pod.serviceId(), pod.url(), modelType, List.copyOf(types), capabilities, models,
                null, null, null, null, pod.grpcUrl());
    }

    @Override
    public void close() {
        client.close();
    }
}
