package io.quiver.manager.mesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quiver.grpc.inference.InferTensorContents;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.grpc.inference.ModelInferRequest.InferInputTensor;
import io.quiver.grpc.inference.ModelInferResponse;
import io.quiver.grpc.inference.ModelMetadataRequest;
import io.quiver.grpc.inference.ModelMetadataResponse;
import io.quiver.grpc.inference.ModelReadyRequest;
import io.quiver.grpc.inference.RepositoryIndexRequest;
import io.quiver.grpc.inference.RepositoryModelLoadRequest;
import io.quiver.grpc.inference.ServerLiveRequest;
import io.quiver.grpc.inference.ServerMetadataRequest;
import io.quiver.grpc.inference.ServerReadyRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Open Inference Protocol over gRPC through the manager, against three real model-servers that
 * register themselves (advertising their gRPC address): every call, every datatype in typed and raw
 * contents, answers equal to a replica's own, errors with the replica's status and message, and a
 * replica killed with SIGKILL under concurrent calls costs none.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshGrpcIT {
    private static final String VICTIM = "replica-2";

    @RegisterExtension
    static final Mesh MESH = Mesh.withReplicas(3).withExporterModels().selfRegistering();

    @Test
    @Order(1)
    void everyCallThroughTheManagerAnswersAsAReplicaDoes() throws Exception {
        try (GrpcCalls manager = new GrpcCalls(MESH.manager().uri());
             GrpcCalls replica = new GrpcCalls(MESH.replica("replica-1").grpcUri())) {
            assertTrue(manager.stub().serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
            assertTrue(manager.stub().serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
            assertEquals("quiver-model-manager",
                    manager.stub().serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName());

            assertTrue(manager.stub().modelReady(ModelReadyRequest.newBuilder().setName("every_datatype").build())
                    .getReady());
            ModelMetadataRequest metadata = ModelMetadataRequest.newBuilder().setName("every_datatype").build();
            assertEquals(replica.stub().modelMetadata(metadata), manager.stub().modelMetadata(metadata));

            ModelInferRequest raw = GrpcCalls.everyDatatypeRaw();
            ModelInferResponse rawAnswer = manager.stub().modelInfer(raw);
            assertEquals(replica.stub().modelInfer(raw), rawAnswer);
            assertEquals(GrpcCalls.EVERY_DATATYPE.size(), rawAnswer.getRawOutputContentsCount());
            for (int i = 0; i < raw.getRawInputContentsCount(); i++) {
                // every_datatype is Identity per input: each output's bytes are its input's.
                assertEquals(raw.getRawInputContents(i), rawAnswer.getRawOutputContents(i),
                        rawAnswer.getOutputs(i).getName());
            }

            ModelInferRequest typed = GrpcCalls.everyDatatypeTyped();
            ModelInferResponse typedAnswer = manager.stub().modelInfer(typed);
            assertEquals(replica.stub().modelInfer(typed), typedAnswer);
            for (InferInputTensor input : typed.getInputsList()) {
                String output = "out_" + input.getName().substring(3);
                InferTensorContents contents = typedAnswer.getOutputsList().stream()
                        .filter(o -> o.getName().equals(output)).findFirst().orElseThrow().getContents();
                assertEquals(input.getContents(), contents, output);
            }
        }
    }

    @Test
    @Order(2)
    void gRpcAndRestThroughTheManagerGiveTheSamePrices() throws Exception {
        float[] features = {120f, 3f, 15f, 80f, 2f, 40f};
        ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("house_price")
                .addInputs(InferInputTensor.newBuilder().setName("features").setDatatype("FP32").addShape(2).addShape(3)
                        .setContents(fp32(features)))
                .build();
        JsonNode rest = MESH.http().post(MESH.managerUri("/v2/models/house_price/infer"), """
                {"inputs": [{"name": "features", "datatype": "FP32", "shape": [2, 3], "data": [120, 3, 15, 80, 2, 40]}]}
                """).json();
        try (GrpcCalls manager = new GrpcCalls(MESH.manager().uri())) {
            ModelInferResponse answer = manager.stub().modelInfer(request);
            List<Float> prices = answer.getOutputs(0).getContents().getFp32ContentsList();
            List<Float> restPrices = new ArrayList<>();
            rest.path("outputs").get(0).path("data").forEach(v -> restPrices.add((float) v.doubleValue()));
            assertEquals(restPrices, prices);
            assertEquals(2, prices.size());
        }
    }

    @Test
    @Order(3)
    void callsAreSpreadOverTheReplicasRoundRobin() throws Exception {
        Map<String, Integer> spread = new TreeMap<>();
        try (GrpcCalls manager = new GrpcCalls(MESH.manager().uri())) {
            ModelInferRequest request = GrpcCalls.everyDatatypeRaw();
            for (int i = 0; i < 30; i++) {
                AtomicReference<Metadata> headers = new AtomicReference<>();
                manager.capturing(headers).modelInfer(request);
                spread.merge(headers.get().get(GrpcCalls.SERVED_BY), 1, Integer::sum);
            }
        }
        assertEquals(3, spread.size(), "every replica serves its share: " + spread);
        assertTrue(spread.values().stream().allMatch(n -> n >= 8), "round-robin gives each about 10 of 30: " + spread);
    }

    @Test
    @Order(4)
    void errorsComeBackWithTheirStatusAndMessage() throws Exception {
        try (GrpcCalls manager = new GrpcCalls(MESH.manager().uri())) {
            StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> manager.stub()
                    .modelInfer(ModelInferRequest.newBuilder().setModelName("no_such_model").build()));
            assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
            assertTrue(unknown.getStatus().getDescription().contains("no_such_model"), unknown::toString);

            // A bad tensor is the replica's INVALID_ARGUMENT, passed on as it came: not retried elsewhere.
            StatusRuntimeException bad = assertThrows(StatusRuntimeException.class, () -> manager.stub()
                    .modelInfer(ModelInferRequest.newBuilder().setModelName("house_price")
                            .addInputs(InferInputTensor.newBuilder().setName("features").setDatatype("FP32")
                                    .addShape(1).addShape(3).setContents(fp32(new float[] {1f, 2f})))
                            .build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
            assertTrue(bad.getStatus().getDescription().contains("features"), bad::toString);

            StatusRuntimeException noName = assertThrows(StatusRuntimeException.class, () -> manager.stub()
                    .modelInfer(ModelInferRequest.getDefaultInstance()));
            assertEquals(Status.Code.INVALID_ARGUMENT, noName.getStatus().getCode());
            assertTrue(noName.getStatus().getDescription().contains("model_name"), noName::toString);

            for (Runnable repositoryCall : List.<Runnable>of(
                    () -> manager.stub().repositoryIndex(RepositoryIndexRequest.getDefaultInstance()),
                    () -> manager.stub().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder()
                            .setModelName("house_price").build()))) {
                StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, repositoryCall::run);
                assertEquals(Status.Code.UNIMPLEMENTED, refused.getStatus().getCode());
                assertTrue(refused.getStatus().getDescription().contains("model-server"), refused::toString);
            }
        }
    }

    @Test
    @Order(5)
    void killingAReplicaUnderConcurrentCallsFailsNoCall() throws Exception {
        int clients = 8;
        int killAfter = 300;
        int afterEjection = 300;
        List<String> servedBy = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger completed = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        int[] ejectedAt = {Integer.MAX_VALUE};
        ModelInferRequest request = GrpcCalls.everyDatatypeRaw();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try (GrpcCalls manager = new GrpcCalls(MESH.manager().uri())) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                running.add(pool.submit(() -> {
                    while (!stop.get() && completed.get() < 20_000) {
                        AtomicReference<Metadata> headers = new AtomicReference<>();
                        try {
                            manager.capturing(headers).modelInfer(request);
                            servedBy.add(headers.get().get(GrpcCalls.SERVED_BY));
                        } catch (StatusRuntimeException e) {
                            failures.add(e.getStatus().toString());
                        }
                        completed.incrementAndGet();
                    }
                }));
            }
            Mesh.await(killAfter + " calls", Duration.ofSeconds(60), () -> completed.get() >= killAfter);
            MESH.replica(VICTIM).kill();
            // Its lease (three 300 ms heartbeats) runs out, or a health check fails first.
            Mesh.await(VICTIM + " ejected or expired", Duration.ofSeconds(15), () -> {
                JsonNode service = MESH.services().get(VICTIM);
                return service == null || !service.path("health").path("state").asText().equals("healthy");
            });
            ejectedAt[0] = servedBy.size();
            Mesh.await(afterEjection + " calls after the ejection", Duration.ofSeconds(60),
                    () -> servedBy.size() >= ejectedAt[0] + afterEjection);
            stop.set(true);
            for (Future<?> client : running) {
                client.get(60, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        List<String> after;
        synchronized (servedBy) {
            after = List.copyOf(servedBy.subList(ejectedAt[0], servedBy.size()));
        }
        System.out.printf("[mesh] %s: calls=%d failures=%d served_after_ejection=%s%n", getClass().getSimpleName(),
                completed.get(), failures.size(), count(after));
        assertEquals(List.of(), failures.stream().limit(20).toList(), failures.size() + " calls failed");
        assertFalse(after.contains(VICTIM), VICTIM + " still served calls after its ejection: " + count(after));
        assertEquals(2, count(after).size(), "both survivors keep serving: " + count(after));
    }

    private static Map<String, Integer> count(List<String> servedBy) {
        Map<String, Integer> counts = new TreeMap<>();
        servedBy.forEach(s -> counts.merge(s, 1, Integer::sum));
        return counts;
    }

    private static InferTensorContents fp32(float[] values) {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (float v : values) {
            contents.addFp32Contents(v);
        }
        return contents.build();
    }
}
