package io.quiver.server;

import static io.restassured.RestAssured.given;
import static io.quiver.server.testing.Wire.array;
import static io.quiver.server.testing.Wire.getOk;
import static io.quiver.server.testing.Wire.object;
import static io.quiver.server.testing.Wire.output;
import static io.quiver.server.testing.Wire.postOk;
import static io.quiver.server.testing.Wire.shapeOf;
import static io.quiver.server.testing.Wire.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.PublishedModels;
import io.restassured.http.ContentType;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Silero VAD, a voice-activity detector published as ONNX (v5 and v6 as {@code @ricky0123/vad-web}
 * ships them), served over the Open Inference Protocol: a rank-0 INT64 sample rate beside FP32
 * audio and a recurrent state fed from one chunk's answer to the next. Each served answer is
 * compared with ONNX Runtime run in-process on the same inputs, to {@link #TOLERANCE}: the server
 * runs the same runtime on the same bytes, so only the JSON round trip of floats may differ.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class SileroVadIsServedAsOnnxRuntimeRunsItTest {
    private static final double TOLERANCE = 1e-6;
    private static final int CHUNK = 512;
    private static final long SAMPLE_RATE = 16_000;
    private static final long[] STATE_SHAPE = {2, 1, 128};

    @ParameterizedTest
    @ValueSource(strings = {PublishedModels.SILERO_VAD_V5, PublishedModels.SILERO_VAD_V6})
    void chunksOfToneSilenceAndNoiseAnswerAsInProcess(String file) throws Exception {
        Path onnx = PublishedModels.sileroVad(file);
        String name = file.replace(".onnx", "");
        Path version = ExampleRepository.extraRoot().resolve(name).resolve("1");
        Files.createDirectories(version);
        Files.copy(onnx, version.resolve("model.onnx"), StandardCopyOption.REPLACE_EXISTING);
        given().contentType(ContentType.JSON).body(Map.of("model_id", name, "registry_uri", version.toString()))
                .post("/v1/models/load").then().statusCode(200);

        JsonNode metadata = getOk("/v2/models/" + name);
        assertEquals(List.of("input", "state", "sr"), names(metadata.path("inputs")), metadata::toString);
        assertEquals(List.of("output", "stateN"), names(metadata.path("outputs")), metadata::toString);

        float[][] chunks = {tone(0), new float[CHUNK], noise(7), tone(1), tone(2), new float[CHUNK]};
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession session = environment.createSession(onnx.toString(), new OrtSession.SessionOptions())) {
            float[] servedState = new float[2 * 128];
            float[] localState = new float[2 * 128];
            double[] probabilities = new double[chunks.length];
            for (int i = 0; i < chunks.length; i++) {
                JsonNode answer = postOk("/v2/models/" + name + "/infer", request(chunks[i], servedState));
                JsonNode probability = output(answer, "output");
                JsonNode stateN = output(answer, "stateN");
                assertEquals(List.of(1L, 1L), shapeOf(probability), answer::toString);
                assertEquals(List.of(2L, 1L, 128L), shapeOf(stateN), answer::toString);

                float[][] local = runInProcess(environment, session, chunks[i], localState);
                String what = name + " chunk " + i;
                assertClose(local[0], probability.path("data"), what + " probability");
                assertClose(local[1], stateN.path("data"), what + " state");
                servedState = floats(stateN.path("data"));
                localState = local[1];
                probabilities[i] = local[0][0];
            }
            // The chunks are told apart, so a model answering a constant could not pass.
            double spread = Arrays.stream(probabilities).max().orElseThrow() - Arrays.stream(probabilities).min().orElseThrow();
            assertTrue(spread > 1e-4, () -> name + " answered about the same for every chunk: " + Arrays.toString(probabilities));
            assertTrue(Arrays.stream(probabilities).allMatch(p -> p >= 0 && p <= 1), () -> Arrays.toString(probabilities));
        }
    }

    private static ObjectNode request(float[] chunk, float[] state) {
        ArrayNode inputs = array();
        inputs.add(tensor("input", "FP32", new long[] {1, CHUNK}, data(chunk)));
        inputs.add(tensor("state", "FP32", STATE_SHAPE, data(state)));
        inputs.add(tensor("sr", "INT64", new long[0], array(SAMPLE_RATE)));
        ObjectNode body = object();
        body.set("inputs", inputs);
        return body;
    }

    private static float[][] runInProcess(OrtEnvironment environment, OrtSession session, float[] chunk, float[] state)
            throws OrtException {
        try (OnnxTensor input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(chunk), new long[] {1, CHUNK});
             OnnxTensor stateIn = OnnxTensor.createTensor(environment, FloatBuffer.wrap(state), STATE_SHAPE);
             OnnxTensor sr = OnnxTensor.createTensor(environment, SAMPLE_RATE);
             OrtSession.Result result = session.run(Map.of("input", input, "state", stateIn, "sr", sr))) {
            return new float[][] {floats((OnnxTensor) result.get("output").orElseThrow()),
                    floats((OnnxTensor) result.get("stateN").orElseThrow())};
        }
    }

    /** A 440 Hz tone at half scale, continuing across chunks. */
    private static float[] tone(int chunkIndex) {
        float[] samples = new float[CHUNK];
        for (int t = 0; t < CHUNK; t++) {
            samples[t] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * (chunkIndex * CHUNK + t) / SAMPLE_RATE));
        }
        return samples;
    }

    private static float[] noise(long seed) {
        Random random = new Random(seed);
        float[] samples = new float[CHUNK];
        for (int t = 0; t < CHUNK; t++) {
            samples[t] = (float) (0.2 * random.nextGaussian());
        }
        return samples;
    }

    private static ArrayNode data(float[] values) {
        ArrayNode array = array();
        for (float v : values) {
            array.add(v);
        }
        return array;
    }

    private static float[] floats(OnnxTensor tensor) {
        FloatBuffer buffer = tensor.getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    private static float[] floats(JsonNode data) {
        float[] values = new float[data.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = data.get(i).floatValue();
        }
        return values;
    }

    private static List<String> names(JsonNode tensors) {
        return StreamSupport.stream(tensors.spliterator(), false)
                .map(t -> t.path("name").asText()).toList();
    }

    private static void assertClose(float[] expected, JsonNode actual, String what) {
        assertTrue(actual.isArray(), () -> what + ": expected an array, got " + actual);
        assertEquals(expected.length, actual.size(), what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.get(i).doubleValue(), TOLERANCE, what + "[" + i + "]");
        }
    }
}
