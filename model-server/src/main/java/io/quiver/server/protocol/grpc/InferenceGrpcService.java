package io.quiver.server.protocol.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quiver.common.error.BadRequestException;
import io.quiver.grpc.inference.GRPCInferenceServiceGrpc;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.grpc.inference.ModelInferResponse;
import io.quiver.grpc.inference.ModelMetadataRequest;
import io.quiver.grpc.inference.ModelMetadataResponse;
import io.quiver.grpc.inference.ModelReadyRequest;
import io.quiver.grpc.inference.ModelReadyResponse;
import io.quiver.grpc.inference.RepositoryIndexRequest;
import io.quiver.grpc.inference.RepositoryIndexResponse;
import io.quiver.grpc.inference.RepositoryModelLoadRequest;
import io.quiver.grpc.inference.RepositoryModelLoadResponse;
import io.quiver.grpc.inference.RepositoryModelUnloadRequest;
import io.quiver.grpc.inference.RepositoryModelUnloadResponse;
import io.quiver.grpc.inference.ServerLiveRequest;
import io.quiver.grpc.inference.ServerLiveResponse;
import io.quiver.grpc.inference.ServerMetadataRequest;
import io.quiver.grpc.inference.ServerMetadataResponse;
import io.quiver.grpc.inference.ServerReadyRequest;
import io.quiver.grpc.inference.ServerReadyResponse;
import io.quiver.server.payloadlog.Exchange;
import io.quiver.server.protocol.RepositoryLoads;
import io.quiver.server.protocol.v2.V2Codec;
import io.quiver.server.protocol.v2.V2Messages;
import io.quiver.server.serving.InferenceResult;
import io.quiver.server.serving.InferenceService;
import io.quiver.server.serving.ModelLoading;
import io.quiver.server.serving.ModelRegistry;
import io.quiver.server.serving.ModelSlot;
import io.quiver.server.serving.RepositoryIndex;
import io.smallrye.common.annotation.Blocking;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code inference.GRPCInferenceService}: thin, like the REST resources. Each call maps its message
 * to the same services the REST endpoints call and the answer back; every failure becomes a status
 * in {@link GrpcErrors}, never an exception out of the call.
 */
@GrpcService
public class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    /** The protocol extensions this transport serves (REST serves more: binary data, configuration, statistics). */
    static final List<String> EXTENSIONS = List.of("model_repository");

    private final ModelRegistry registry;
    private final InferenceService inference;
    private final ModelLoading loading;
    private final RepositoryIndex index;
    private final ObjectMapper mapper;
    private final String serverVersion;

    InferenceGrpcService(ModelRegistry registry, InferenceService inference, ModelLoading loading,
                         RepositoryIndex index, ObjectMapper mapper,
                         @ConfigProperty(name = "quarkus.application.version", defaultValue = "0") String serverVersion) {
        this.registry = registry;
        this.inference = inference;
        this.loading = loading;
        this.index = index;
        this.mapper = mapper;
        this.serverVersion = serverVersion;
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
        answer(out, () -> ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
        answer(out, () -> ServerReadyResponse.newBuilder().setReady(loading.startupDone()).build());
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
        answer(out, () -> ServerMetadataResponse.newBuilder().setName("quiver").setVersion(serverVersion)
                .addAllExtensions(EXTENSIONS).build());
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
        answer(out, () -> {
            registry.resolve(required(request.getName(), "name"), request.getVersion());
            return ModelReadyResponse.newBuilder().setReady(true).build();
        });
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
        answer(out, () -> {
            ModelSlot slot = registry.resolve(required(request.getName(), "name"), request.getVersion());
            List<String> versions = registry.slots(slot.info().name()).stream().map(s -> s.info().version()).toList();
            V2Messages.ModelMetadata metadata = V2Codec.metadata(slot.info(), versions);
            return ModelMetadataResponse.newBuilder().setName(metadata.name()).addAllVersions(metadata.versions())
                    .setPlatform(metadata.platform())
                    .addAllInputs(metadata.inputs().stream().map(InferenceGrpcService::tensor).toList())
                    .addAllOutputs(metadata.outputs().stream().map(InferenceGrpcService::tensor).toList())
                    .build();
        });
    }

    private static ModelMetadataResponse.TensorMetadata tensor(V2Messages.TensorMetadata spec) {
        ModelMetadataResponse.TensorMetadata.Builder tensor = ModelMetadataResponse.TensorMetadata.newBuilder()
                .setName(spec.name()).setDatatype(spec.datatype());
        for (long d : spec.shape()) {
            tensor.addShape(d);
        }
        return tensor.build();
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
        String id = CallContext.requestId();
        Deadline deadline = CallContext.deadline();
        if (deadline != null && deadline.isExpired()) {
            out.onError(GrpcErrors.of(new TimeoutException(), id));
            return;
        }
        try {
            boolean raw = request.getRawInputContentsCount() > 0;
            // No JSON body: the payload log writes the decoded tensors instead.
            Exchange exchange = new Exchange(Exchange.Protocol.V2_GRPC, id, null, CallContext.warmup());
            CompletableFuture<InferenceResult> run = inference.infer(exchange, required(request.getModelName(), "model_name"),
                    request.getModelVersion(), model -> GrpcInputs.decode(request)).toCompletableFuture();
            if (deadline != null) {
                // The run, once queued, still completes and is counted; the client is answered at its deadline.
                run = run.orTimeout(deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS);
            }
            run.whenComplete((result, failure) -> {
                if (failure != null) {
                    out.onError(GrpcErrors.of(failure, id));
                    return;
                }
                answer(out, id, () -> GrpcOutputs.encode(result, request.getId(), raw, this::labelsText));
            });
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.of(e, id));
        }
    }

    @Override
    @Blocking
    public void repositoryIndex(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> out) {
        answer(out, () -> {
            RepositoryIndexResponse.Builder answer = RepositoryIndexResponse.newBuilder();
            for (RepositoryIndex.Entry entry : index.entries(request.getReady())) {
                RepositoryIndexResponse.ModelIndex.Builder model = answer.addModelsBuilder().setName(entry.name())
                        .setState(entry.state());
                if (entry.version() != null) {
                    model.setVersion(entry.version());
                }
                if (entry.reason() != null) {
                    model.setReason(entry.reason());
                }
            }
            return answer.build();
        });
    }

    @Override
    @Blocking
    public void repositoryModelLoad(RepositoryModelLoadRequest request, StreamObserver<RepositoryModelLoadResponse> out) {
        answer(out, () -> {
            RepositoryLoads.load(loading, required(request.getModelName(), "model_name"),
                    request.getParametersMap().keySet());
            return RepositoryModelLoadResponse.getDefaultInstance();
        });
    }

    @Override
    public void repositoryModelUnload(RepositoryModelUnloadRequest request,
                                      StreamObserver<RepositoryModelUnloadResponse> out) {
        answer(out, () -> {
            // Triton's one unload parameter, unload_dependents, has nothing to act on: no model depends on another.
            registry.unload(required(request.getModelName(), "model_name"));
            return RepositoryModelUnloadResponse.getDefaultInstance();
        });
    }

    private static String required(String value, String field) {
        if (value.isEmpty()) {
            throw new BadRequestException(field + " is required");
        }
        return value;
    }

    private String labelsText(List<String> labels) {
        try {
            return mapper.writeValueAsString(labels);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> void answer(StreamObserver<T> out, Supplier<T> call) {
        answer(out, CallContext.requestId(), call);
    }

    private static <T> void answer(StreamObserver<T> out, String id, Supplier<T> call) {
        T response;
        try {
            response = call.get();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.of(e, id));
            return;
        }
        out.onNext(response);
        out.onCompleted();
    }
}
