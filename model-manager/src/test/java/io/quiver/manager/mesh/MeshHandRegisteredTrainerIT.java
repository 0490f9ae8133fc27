package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A model-server registered by hand (seed 003's POST /services/register, no heartbeats) trains a
 * model of a new type through the manager; once the job has finished, the manager routes that
 * type's /predict to it within a health-check interval (1 s here), though the server never tells
 * the manager what it serves.
 */
class MeshHandRegisteredTrainerIT {
    private static final String TYPE = "mesh_sine_by_hand";
    private static final int WINDOW = 8;

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(1);

    @Test
    void aTypeTrainedOnAHandRegisteredServerIsRoutedOnceTheJobFinished() throws Exception {
        ServiceProcess replica = MESH.replicas().get(0);
        Http.Answer registered = MESH.register(replica.name(), replica.uri().toString(), Mesh.MODEL_TYPE,
                List.of("prediction", "training"));
        assertEquals(201, registered.status(), registered.toString());

        Http.Answer submitted = MESH.http().post(MESH.managerUri("/train"), MeshTrainingThroughTheManagerIT.job(TYPE, 100));
        assertEquals(202, submitted.status(), submitted.toString());
        String jobId = submitted.json().path("job_id").asText();
        // Followed on the model-server itself: the manager must learn of the end by its own means.
        JsonNode job = Mesh.await("the job to finish", Duration.ofSeconds(90),
                () -> finished(MESH.http().getJson(replica.uri("/train/" + jobId))));
        assertEquals("succeeded", job.path("state").asText(), job.toString());

        // One interval, plus the scheduler's own tick and room for a loaded machine.
        Mesh.await("/predict for " + TYPE + " through the manager", Duration.ofSeconds(5), () -> predicts(0));
        Http.Answer answer = MESH.http().post(MESH.managerUri("/predict"), predictFrom(100));
        assertEquals(200, answer.status(), answer.toString());
        assertEquals(replica.name(), answer.servedBy());
        assertEquals(MeshTrainingThroughTheManagerIT.sine(100 + WINDOW),
                answer.json().path("predictions").get(0).asDouble(), 0.02, answer.toString());
    }

    private static Optional<JsonNode> finished(JsonNode job) {
        String state = job.path("state").asText();
        return state.equals("queued") || state.equals("running") ? Optional.empty() : Optional.of(job);
    }

    private static boolean predicts(int from) {
        try {
            return MESH.http().post(MESH.managerUri("/predict"), predictFrom(from)).status() == 200;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String predictFrom(int from) throws IOException {
        return MeshTrainingThroughTheManagerIT.predict(TYPE, MeshTrainingThroughTheManagerIT.series(from, from + WINDOW));
    }
}
