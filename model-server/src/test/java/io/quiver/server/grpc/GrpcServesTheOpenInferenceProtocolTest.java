package io.quiver.server.grpc;

import static io.quiver.server.grpc.GrpcClient.fails;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.grpc.inference.ModelInferResponse;
import io.quiver.grpc.inference.ModelMetadataRequest;
import io.quiver.grpc.inference.ModelMetadataResponse;
import io.quiver.grpc.inference.ModelReadyRequest;
import io.quiver.grpc.inference.RepositoryIndexRequest;
import io.quiver.grpc.inference.RepositoryIndexResponse;
import io.quiver.grpc.inference.RepositoryModelLoadRequest;
import io.quiver.grpc.inference.RepositoryModelUnloadRequest;
import io.quiver.grpc.inference.ServerLiveRequest;
import io.quiver.grpc.inference.ServerMetadataRequest;
import io.quiver.grpc.inference.ServerReadyRequest;
import io.quiver.server.testing.GrpcRepository;
import io.quiver.server.testing.Wire;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every call of {@code inference.GRPCInferenceService}, made by a client generated from the same
 * proto, and each inference answer compared with the REST answer to the same inputs.
 */
@QuarkusTest
@WithTestResource(GrpcRepository.class)
class GrpcServesTheOpenInferenceProtocolTest {
    @RegisterExtension
    final GrpcClient client = new GrpcClient();

    @Test
    void serverHealthAndMetadata() {
        assertTrue(client.stub().serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        assertTrue(client.stub().serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
        var metadata = client.stub().serverMetadata(ServerMetadataRequest.getDefaultInstance());
        JsonNode rest = Wire.getOk("/v2");
        assertEquals(rest.path("name").asText(), metadata.getName());
        assertEquals(rest.path("version").asText(), metadata.getVersion());
        assertTrue(metadata.getExtensionsList().contains("model_repository"), metadata::toString);
    }

    @Test
    void modelReadinessAndMetadataMatchRest() {
        assertTrue(client.stub().modelReady(ModelReadyRequest.newBuilder().setName("house_price").build()).getReady());
        assertTrue(client.stub().modelReady(ModelReadyRequest.newBuilder().setName("house_price").setVersion("1")
                .build()).getReady());
        ModelMetadataResponse metadata = client.stub().modelMetadata(ModelMetadataRequest.newBuilder()
                .setName("fraud_classifier").build());
        JsonNode rest = Wire.getOk("/v2/models/fraud_classifier");
        assertEquals(rest.path("name").asText(), metadata.getName());
        assertEquals(rest.path("platform").asText(), metadata.getPlatform());
        assertEquals(texts(rest.path("versions")), metadata.getVersionsList());
        assertEquals(rest.path("inputs").size(), metadata.getInputsCount());
        for (int i = 0; i < metadata.getInputsCount(); i++) {
            JsonNode input = rest.path("inputs").get(i);
            assertEquals(input.path("name").asText(), metadata.getInputs(i).getName());
            assertEquals(input.path("datatype").asText(), metadata.getInputs(i).getDatatype());
            List<Long> shape = new ArrayList<>();
            input.path("shape").forEach(d -> shape.add(d.asLong()));
            assertEquals(shape, metadata.getInputs(i).getShapeList());
        }
        List<String> outputs = new ArrayList<>();
        rest.path("outputs").forEach(o -> outputs.add(o.path("name").asText()));
        assertEquals(outputs, metadata.getOutputsList().stream().map(ModelMetadataResponse.TensorMetadata::getName).toList());
    }

    @Test
    void housePriceTypedEqualsRestAndEchoesTheId() {
        ModelInferRequest request = Tensors.request("house_price").setModelVersion("1").setId("call-7")
                .addInputs(Tensors.header("features", "FP32", 2, 3).setContents(
                        Tensors.typed("FP32", List.of("1200", "3", "15", "850.5", "2", "40"))))
                .build();
        ModelInferResponse answer = client.stub().modelInfer(request);
        assertEquals("house_price", answer.getModelName());
        assertEquals("1", answer.getModelVersion());
        assertEquals("call-7", answer.getId());
        assertEquals(0, answer.getRawOutputContentsCount(), "typed in, typed out");
        JsonNode rest = Wire.postOk("/v2/models/house_price/versions/1/infer",
                "{\"inputs\": [{\"name\": \"features\", \"shape\": [2, 3], \"datatype\": \"FP32\","
                        + " \"data\": [1200, 3, 15, 850.5, 2, 40]}]}");
        assertSameAnswer(rest, answer);
    }

    @Test
    void callsAreCountedInTheSameStatisticsAsRest() {
        String stats = "/v2/models/house_price/versions/2/stats";
        JsonNode before = Wire.getOk(stats).path("model_stats").get(0).path("inference_stats");
        ModelInferRequest good = Tensors.request("house_price").setModelVersion("2")
                .addInputs(Tensors.header("features", "FP32", 1, 3).setContents(
                        Tensors.typed("FP32", List.of("1200", "3", "15")))).build();
        for (int i = 0; i < 3; i++) {
            client.stub().modelInfer(good);
        }
        ModelInferRequest bad = good.toBuilder().setInputs(0, good.getInputs(0).toBuilder().setShape(1, 2)
                .setContents(Tensors.typed("FP32", List.of("1", "2")))).build();
        fails(Status.Code.INVALID_ARGUMENT, "input 'features' expects shape", () -> client.stub().modelInfer(bad));
        JsonNode after = Wire.getOk(stats).path("model_stats").get(0).path("inference_stats");
        assertEquals(3, after.path("success").path("count").asLong() - before.path("success").path("count").asLong(),
                after::toString);
        assertEquals(1, after.path("fail").path("count").asLong() - before.path("fail").path("count").asLong(),
                after::toString);
    }

    @Test
    void everyTypedDatatypeEqualsRest() {
        Map<String, String> inputs = new LinkedHashMap<>();
        ModelInferRequest.Builder request = Tensors.request(GrpcRepository.TYPED);
        for (String type : Tensors.SAMPLES.keySet()) {
            if (type.equals("FP16") || type.equals("BF16")) {
                continue;
            }
            inputs.put(Tensors.input(type), type);
            request.addInputs(Tensors.header(Tensors.input(type), type, Tensors.SHAPE)
                    .setContents(Tensors.typed(type, Tensors.SAMPLES.get(type))));
        }
        ModelInferResponse answer = client.stub().modelInfer(request.build());
        assertEquals(12, answer.getOutputsCount());
        assertEquals(0, answer.getRawOutputContentsCount());
        for (int i = 0; i < answer.getOutputsCount(); i++) {
            String type = answer.getOutputs(i).getDatatype();
            assertEquals(normalised(type), GrpcClient.values(answer, i), type);
        }
        assertSameAnswer(Wire.postOk("/v2/models/" + GrpcRepository.TYPED + "/infer",
                Tensors.restRequest(inputs).toString()), answer);
    }

    @Test
    void everyDatatypeRawEqualsRest() {
        Map<String, String> inputs = new LinkedHashMap<>();
        ModelInferRequest.Builder request = Tensors.request("every_datatype");
        for (String type : Tensors.SAMPLES.keySet()) {
            inputs.put(Tensors.input(type), type);
            request.addInputs(Tensors.header(Tensors.input(type), type, Tensors.SHAPE))
                    .addRawInputContents(Tensors.raw(type, Tensors.SAMPLES.get(type)));
        }
        ModelInferResponse answer = client.stub().modelInfer(request.build());
        assertEquals(14, answer.getOutputsCount());
        assertEquals(14, answer.getRawOutputContentsCount(), "raw in, raw out");
        for (int i = 0; i < answer.getOutputsCount(); i++) {
            String type = answer.getOutputs(i).getDatatype();
            assertEquals(Tensors.raw(type, Tensors.SAMPLES.get(type)), answer.getRawOutputContents(i),
                    "identity gives back the bytes sent, " + type);
        }
        assertSameAnswer(Wire.postOk("/v2/models/every_datatype/infer", Tensors.restRequest(inputs).toString()), answer);
    }

    @Test
    void halfPrecisionOutputsComeRawEvenForTypedInputs() {
        ModelInferRequest.Builder request = Tensors.request("every_datatype");
        for (String type : Tensors.SAMPLES.keySet()) {
            request.addInputs(Tensors.header(Tensors.input(type), type, Tensors.SHAPE))
                    .addRawInputContents(Tensors.raw(type, Tensors.SAMPLES.get(type)));
        }
        request.addOutputsBuilder().setName(Tensors.output("FP16"));
        request.addOutputsBuilder().setName(Tensors.output("BYTES"));
        ModelInferResponse answer = client.stub().modelInfer(request.build());
        assertEquals(List.of(Tensors.output("FP16"), Tensors.output("BYTES")), answer.getOutputsList().stream()
                .map(ModelInferResponse.InferOutputTensor::getName).toList(), "only the outputs asked for");
        assertEquals(List.of("0.0", "1.0", "-2.0", "0.5"), GrpcClient.values(answer, 0));
        assertEquals(Tensors.SAMPLES.get("BYTES"), GrpcClient.values(answer, 1));
    }

    @Test
    void classifierLabelsTravelAsAParameter() {
        // skl2onnx's ZipMap output becomes a tensor whose columns are the class labels.
        ModelInferResponse answer = client.stub().modelInfer(Tensors.request("sklearn_logreg_str")
                .addInputs(Tensors.header("float_input", "FP32", 1, 4).setContents(
                        Tensors.typed("FP32", List.of("5.1", "3.5", "1.4", "0.2"))))
                .build());
        JsonNode rest = Wire.postOk("/v2/models/sklearn_logreg_str/infer", "{\"inputs\": [{\"name\": \"float_input\","
                + " \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [5.1, 3.5, 1.4, 0.2]}]}");
        assertSameAnswer(rest, answer);
        int labelled = 0;
        for (int i = 0; i < answer.getOutputsCount(); i++) {
            JsonNode labels = rest.path("outputs").get(i).path("parameters").get("labels");
            if (labels != null) {
                assertEquals(labels, Wire.read(answer.getOutputs(i).getParametersOrThrow("labels").getStringParam()));
                labelled++;
            }
        }
        assertTrue(labelled > 0, rest::toString);
    }

    @Test
    void repositoryIndexUnloadAndLoad() {
        RepositoryIndexResponse index = client.stub().repositoryIndex(RepositoryIndexRequest.getDefaultInstance());
        assertTrue(index.getModelsList().stream().anyMatch(m -> m.getName().equals("house_price")
                && m.getVersion().equals("2") && m.getState().equals("READY")), index::toString);
        List<String> rest = new ArrayList<>();
        Wire.postOk("/v2/repository/index", "{}").forEach(m -> rest.add(m.path("name").asText() + "/"
                + m.path("version").asText() + " " + m.path("state").asText()));
        assertEquals(rest, index.getModelsList().stream().map(m -> m.getName() + "/" + m.getVersion() + " "
                + m.getState()).toList(), "the same index as REST's");
        String model = "sklearn_label_encoder";
        client.stub().repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName(model).build());
        fails(Status.Code.NOT_FOUND, model, () -> client.stub().modelReady(ModelReadyRequest.newBuilder()
                .setName(model).build()));
        RepositoryIndexResponse ready = client.stub().repositoryIndex(RepositoryIndexRequest.newBuilder()
                .setReady(true).build());
        assertFalse(ready.getModelsList().stream().anyMatch(m -> m.getName().equals(model)), ready::toString);
        client.stub().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName(model).build());
        assertTrue(client.stub().modelReady(ModelReadyRequest.newBuilder().setName(model).build()).getReady());
        given().get("/v2/models/" + model + "/ready").then().statusCode(200);
    }

    /** Same model, version, output names, datatypes, shapes and elements as the REST answer. */
    static void assertSameAnswer(JsonNode rest, ModelInferResponse answer) {
        assertEquals(rest.path("model_name").asText(), answer.getModelName());
        assertEquals(rest.path("model_version").asText(), answer.getModelVersion());
        assertEquals(rest.path("outputs").size(), answer.getOutputsCount(), rest::toString);
        for (int i = 0; i < answer.getOutputsCount(); i++) {
            JsonNode expected = rest.path("outputs").get(i);
            ModelInferResponse.InferOutputTensor output = answer.getOutputs(i);
            assertEquals(expected.path("name").asText(), output.getName());
            assertEquals(expected.path("datatype").asText(), output.getDatatype());
            List<Long> shape = new ArrayList<>();
            expected.path("shape").forEach(d -> shape.add(d.asLong()));
            assertEquals(shape, output.getShapeList(), output.getName());
            assertEquals(GrpcClient.restValues(expected), GrpcClient.values(answer, i), output.getName());
        }
    }

    private static List<String> normalised(String type) {
        List<String> out = new ArrayList<>();
        for (String v : Tensors.SAMPLES.get(type)) {
            out.add(switch (type) {
                case "FP32" -> Float.toString(Float.parseFloat(v));
                case "FP64" -> Double.toString(Double.parseDouble(v));
                default -> v;
            });
        }
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }
}
