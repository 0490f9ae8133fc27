package io.quiver.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.grpc.inference.ModelMetadataRequest;
import io.quiver.server.testing.ExampleRepository;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A large message on the HTTP port, where Vert.x's gRPC server reads it from HTTP/2 DATA frames of
 * 16 KiB: reading it costs memory in proportion to its size. Vert.x gRPC 4.5.27, Quarkus 3.33's,
 * copied everything received so far at every frame, about 2 GiB of copies for the 8 MiB here and
 * seconds of garbage collection at the services' heap; the root pom pins the release that reads
 * each byte into place once (docs/model-server/grpc.md#ports-and-settings). The test counts the
 * bytes the server's threads allocate during one call (it runs in this JVM), since time would
 * depend on the machine's load.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class GrpcLargeMessagesTest {
    private static final int MESSAGE = 8 << 20;

    @RegisterExtension
    final GrpcClient client = new GrpcClient();

    @Test
    void aLargeMessageIsReadWithoutCopyingItAtEveryFrame() {
        // Read whole, then refused for raw bytes that do not match the [1, 3] shape: the reading is what is measured.
        ModelInferRequest big = Tensors.request("house_price")
                .addInputs(Tensors.header("features", "FP32", 1, 3))
                .addRawInputContents(ByteString.copyFrom(new byte[MESSAGE])).build();
        // A first call connects, so that the one counted carries the message alone.
        client.stub().modelMetadata(ModelMetadataRequest.newBuilder().setName("house_price").build());
        long before = allocated();
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> client.stub().modelInfer(big));
        long spent = allocated() - before;
        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode(), refused.getStatus().toString());
        // Linear reading holds the message a few times over (the client's copy, the frames, the
        // gathered message, the parsed bytes): some tens of MiB; copying at every frame, gigabytes.
        assertTrue(spent < 32L * MESSAGE, "reading an 8 MiB message allocated " + (spent >> 20) + " MiB");
    }

    /** Bytes allocated so far by the threads alive now, this JVM being the server's. */
    private static long allocated() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return Arrays.stream(threads.getThreadAllocatedBytes(threads.getAllThreadIds())).filter(b -> b > 0).sum();
    }
}
