package io.quiver.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.grpc.inference.ServerLiveRequest;
import io.quiver.server.testing.ExampleRepository;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The default, gRPC on a port of its own ({@code quiver.grpc.port}), which the other suites set
 * aside for the HTTP port (application.properties' test profile): here a free port is given, and
 * gRPC is served there, by gRPC's own server, while the HTTP port no longer carries it.
 */
@QuarkusTest
@TestProfile(GrpcOwnPortTest.OwnPort.class)
@WithTestResource(ExampleRepository.class)
class GrpcOwnPortTest {

    /** gRPC on a free loopback port, as a launcher of several model-servers on one host gives each. */
    public static class OwnPort implements QuarkusTestProfile {
        static final int PORT = freePort();

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quiver.grpc.port", Integer.toString(PORT));
        }

        private static int freePort() {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @RegisterExtension
    final GrpcClient own = new GrpcClient(() -> OwnPort.PORT);

    @RegisterExtension
    final GrpcClient http = new GrpcClient();

    @Test
    void gRpcIsServedOnItsOwnPortThroughTheSameInferencePath() {
        assertNotEquals(RestAssured.port, OwnPort.PORT);
        assertTrue(own.stub().serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
        ModelInferRequest request = Tensors.request("house_price").addInputs(Tensors.header("features", "FP32", 1, 3)
                .setContents(io.quiver.grpc.inference.InferTensorContents.newBuilder()
                        .addFp32Contents(1200).addFp32Contents(3).addFp32Contents(20)))
                .build();
        assertEquals(1, own.stub().modelInfer(request).getOutputs(0).getContents().getFp32ContentsCount());
    }

    @Test
    void theHttpPortThenAnswersGrpcCallsUnimplemented() {
        // The HTTP port still speaks HTTP/2 but routes no gRPC service: its 404 reaches the client
        // as UNIMPLEMENTED, so a client pointed at the wrong port learns so at its first call.
        StatusRuntimeException refused = Assertions.assertThrows(StatusRuntimeException.class,
                () -> http.stub().serverLive(ServerLiveRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNIMPLEMENTED, refused.getStatus().getCode(), refused.getStatus().toString());
    }
}
