package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Seed 003's training flow through the manager, on two self-registering replicas sharing one
 * repository: {@code POST /train} reaches a trainer, the job is followed and cancelled through the
 * manager, and the published model becomes a type the manager routes to on both replicas (the
 * trainer and the one that found the new version by polling the repository) until the manager
 * retires it on both.
 */
class MeshTrainingThroughTheManagerIT {
    private static final String TYPE = "mesh_sine";
    private static final int WINDOW = 8;

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(2).selfRegistering().sharedRepository();

    @Test
    void aModelTrainedThroughTheManagerIsServedByEveryReplica() throws Exception {
        Mesh.await("both replicas registered", Duration.ofSeconds(30), () -> MESH.services().size() == 2);

        Http.Answer submitted = MESH.http().post(MESH.managerUri("/train"), job(TYPE, 100));
        assertEquals(202, submitted.status(), submitted.toString());
        String jobId = submitted.json().path("job_id").asText();
        String trainer = submitted.servedBy();
        assertEquals(Optional.of(MESH.managerUri("/train/" + jobId).toString()), submitted.headers().firstValue("Location"),
                "followed through the manager");
        JsonNode job = Mesh.await("the job to finish", Duration.ofSeconds(90), () -> finished(jobId));
        assertEquals("succeeded", job.path("state").asText(), job.toString());
        JsonNode metrics = job.path("metrics");
        assertTrue(metrics.path("rmse").asDouble() < metrics.path("naive_rmse").asDouble(), metrics.toString());

        for (ServiceProcess replica : MESH.replicas()) {
            Mesh.await(replica.name() + " to report " + TYPE, Duration.ofSeconds(30),
                    () -> modelTypes(replica.name()).contains(TYPE));
        }
        Set<String> servedBy = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            int from = 1000 + 7 * i;
            Http.Answer answer = MESH.http().post(MESH.managerUri("/predict"), predict(series(from, from + WINDOW)));
            assertEquals(200, answer.status(), answer.toString());
            assertEquals(sine(from + WINDOW), answer.json().path("predictions").get(0).asDouble(), 0.02, answer.toString());
            servedBy.add(answer.servedBy());
        }
        assertEquals(Set.of("replica-1", "replica-2"), servedBy, "the trainer and the replica that polled the repository");
        System.out.printf("[mesh] trained %s on %s through the manager (rmse %.2e, naive %.2e); 20 forecasts from %s%n",
                TYPE, trainer, metrics.path("rmse").asDouble(), metrics.path("naive_rmse").asDouble(), servedBy);

        String version = job.path("version").asText();
        Http.Answer retired = MESH.http().delete(MESH.managerUri("/models/" + TYPE + "/versions/" + version));
        assertEquals(200, retired.status(), retired.toString());
        Set<String> retiredOn = new HashSet<>();
        retired.json().path("retired_on").forEach(id -> retiredOn.add(id.asText()));
        assertEquals(Set.of("replica-1", "replica-2"), retiredOn, retired.toString());
        for (ServiceProcess replica : MESH.replicas()) {
            Http.Answer gone = MESH.http().post(replica.uri("/predict"), predict(series(0, WINDOW)));
            assertEquals(404, gone.status(), replica.name() + " still serves the retired version: " + gone);
        }
        Http.Answer again = MESH.http().delete(MESH.managerUri("/models/" + TYPE + "/versions/" + version));
        assertEquals(404, again.status(), again.toString());
    }

    @Test
    void aJobIsCancelledThroughTheManager() throws Exception {
        Mesh.await("both replicas registered", Duration.ofSeconds(30), () -> MESH.services().size() == 2);
        // Enough epochs to outlast the test by far, so the cancel meets a queued or running job.
        Http.Answer submitted = MESH.http().post(MESH.managerUri("/train"), job("mesh_sine_cancelled", 100_000));
        assertEquals(202, submitted.status(), submitted.toString());
        String jobId = submitted.json().path("job_id").asText();

        Http.Answer cancelled = MESH.http().delete(MESH.managerUri("/train/" + jobId));
        assertEquals(200, cancelled.status(), cancelled.toString());
        JsonNode job = Mesh.await("the job to end", Duration.ofSeconds(30), () -> finished(jobId));
        assertEquals("cancelled", job.path("state").asText(), job.toString());

        Http.Answer unknown = MESH.http().get(MESH.managerUri("/train/no-such-job"));
        assertEquals(404, unknown.status(), unknown.toString());
        assertTrue(unknown.json().path("error").asText().contains("no-such-job"), unknown.toString());
    }

    private static Optional<JsonNode> finished(String jobId) {
        JsonNode job = MESH.http().getJson(MESH.managerUri("/train/" + jobId));
        String state = job.path("state").asText();
        return state.equals("queued") || state.equals("running") ? Optional.empty() : Optional.of(job);
    }

    private static Set<String> modelTypes(String serviceId) {
        Set<String> types = new HashSet<>();
        JsonNode service = MESH.services().get(serviceId);
        if (service != null) {
            service.path("model_types").forEach(t -> types.add(t.asText()));
        }
        return types;
    }

    static String job(String modelType, int epochs) throws IOException {
        ObjectNode config = Http.JSON.createObjectNode()
                .put("algorithm", "linear-autoregression")
                .put("window", WINDOW);
        config.set("data", series(0, 400));
        config.putObject("hyperparameters").put("epochs", epochs);
        ObjectNode body = Http.JSON.createObjectNode().put("model_type", modelType);
        body.set("config", config);
        return Http.JSON.writeValueAsString(body);
    }

    private static String predict(ArrayNode series) throws IOException {
        return predict(TYPE, series);
    }

    static String predict(String modelType, ArrayNode series) throws IOException {
        ObjectNode body = Http.JSON.createObjectNode().put("model_type", modelType);
        body.set("data", series);
        return Http.JSON.writeValueAsString(body);
    }

    static ArrayNode series(int from, int to) {
        ArrayNode values = Http.JSON.createArrayNode();
        for (int t = from; t < to; t++) {
            values.add(sine(t));
        }
        return values;
    }

    static double sine(int t) {
        return Math.sin(t / 8.0);
    }
}
