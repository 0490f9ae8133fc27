package io.quiver.manager.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.grpc.inference.GRPCInferenceServiceGrpc;
import io.quiver.grpc.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.grpc.inference.ModelReadyRequest;
import io.quiver.grpc.inference.ServerLiveRequest;
import io.quiver.grpc.inference.ServerMetadataRequest;
import io.quiver.manager.registry.ServiceRecord;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.testing.TempDataDir;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What the manager answers itself over gRPC, before or instead of forwarding a call: its own
 * server-wide calls, and a clear status for a call it cannot route. The replica is a listening
 * socket that accepts connections and never answers (as a hung process does), since a real
 * model-server answers too quickly to show a deadline; the mesh tests (MeshGrpcIT) forward to real
 * model-servers.
 */
@QuarkusTest
@WithTestResource(TempDataDir.class)
class GrpcThroughTheManagerTest {
    private static final String HUNG_MODEL = "hung_model";

    @Inject
    ServiceRegistry registry;

    @TestHTTPResource("/")
    URI manager;

    private ManagedChannel channel;
    private ServerSocket hung;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    @BeforeEach
    void connect() throws IOException {
        channel = ManagedChannelBuilder.forAddress(manager.getHost(), manager.getPort()).usePlaintext().build();
        hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!hung.isClosed()) {
                try {
                    accepted.add(hung.accept());
                } catch (IOException e) {
                    return;
                }
            }
        }, "hung-replica");
        acceptor.setDaemon(true);
        acceptor.start();
        String url = "http://127.0.0.1:" + hung.getLocalPort();
        registry.register(new ServiceRecord("hung-1", "http://127.0.0.1:9", HUNG_MODEL, List.of(HUNG_MODEL),
                List.of("prediction"), List.of(), null, 20.0, null, null, Instant.now(), url));
    }

    @AfterEach
    void close() throws Exception {
        registry.remove("hung-1");
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        hung.close();
        for (Socket socket : accepted) {
            socket.close();
        }
    }

    private GRPCInferenceServiceBlockingStub stub() {
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Test
    void theServerWideCallsAreTheManagersOwn() {
        assertTrue(stub().serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        assertEquals("quiver-model-manager", stub().serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName());
    }

    @Test
    void theClientsDeadlineEndsTheCallAtTheManager() {
        long started = System.nanoTime();
        fails(Status.Code.DEADLINE_EXCEEDED, "", () -> GRPCInferenceServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(2, TimeUnit.SECONDS)
                .modelInfer(ModelInferRequest.newBuilder().setModelName(HUNG_MODEL).build()));
        double seconds = (System.nanoTime() - started) / 1e9;
        // The replica's own timeout is 20 s: the call ended with the client's deadline, not that.
        assertTrue(seconds < 10, "the call took " + seconds + " s");
        // The acceptor thread may not have run yet on a busy machine.
        Awaitility.await("the call reached the hung replica").atMost(Duration.ofSeconds(10))
                .until(() -> !accepted.isEmpty());
    }

    @Test
    void aModelNoServiceServesIsNotFound() {
        fails(Status.Code.NOT_FOUND, "no_such_model", () -> stub().modelInfer(ModelInferRequest.newBuilder()
                .setModelName("no_such_model").build()));
        fails(Status.Code.NOT_FOUND, "no_such_model", () -> stub().modelReady(ModelReadyRequest.newBuilder()
                .setName("no_such_model").build()));
    }

    @Test
    void aCompressedMessageIsReadForItsModelName() {
        fails(Status.Code.NOT_FOUND, "compressed_model", () -> stub().withCompression("gzip")
                .modelInfer(ModelInferRequest.newBuilder().setModelName("compressed_model")
                        .addRawInputContents(ByteString.copyFrom(new byte[4096])).build()));
    }

    @Test
    void aMessageThatIsNotProtobufIsInvalidArgument() {
        fails(Status.Code.INVALID_ARGUMENT, "not a valid protobuf message",
                () -> sendBytes("inference.GRPCInferenceService/ModelInfer", new byte[] {(byte) 0xff, (byte) 0xff}));
        fails(Status.Code.INVALID_ARGUMENT, "runs past the message's end",
                () -> sendBytes("inference.GRPCInferenceService/ModelInfer", new byte[] {0x0a, 0x7f, 'x'}));
    }

    @Test
    void aMessageOverTheLimitIsResourceExhausted() {
        ModelInferRequest huge = ModelInferRequest.newBuilder().setModelName(HUNG_MODEL)
                .addRawInputContents(ByteString.copyFrom(new byte[17 << 20])).build();
        fails(Status.Code.RESOURCE_EXHAUSTED, "over the limit", () -> stub().modelInfer(huge));
        assertTrue(stub().serverLive(ServerLiveRequest.getDefaultInstance()).getLive(), "the manager serves on");
    }

    @Test
    void anUnknownMethodIsUnimplemented() {
        fails(Status.Code.UNIMPLEMENTED, "NoSuchCall", () -> sendBytes("inference.GRPCInferenceService/NoSuchCall",
                new byte[0]));
    }

    /** Sends {@code bytes} as the message of {@code method}, whatever they hold, as a broken client might. */
    private byte[] sendBytes(String method, byte[] bytes) {
        MethodDescriptor.Marshaller<byte[]> asIs = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(byte[] value) {
                return new ByteArrayInputStream(value);
            }

            @Override
            public byte[] parse(InputStream stream) {
                try {
                    return stream.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        MethodDescriptor<byte[], byte[]> call = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(method)
                .setRequestMarshaller(asIs).setResponseMarshaller(asIs).build();
        return ClientCalls.blockingUnaryCall(channel, call, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
                bytes);
    }

    private static void fails(Status.Code code, String mentions, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        String message = String.valueOf(e.getStatus().getDescription());
        assertTrue(message.contains(mentions), "expected the message to mention '" + mentions + "', got: " + message);
    }
}
