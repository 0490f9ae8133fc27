package io.quiver.manager.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.PayloadTooLargeException;
import io.quiver.grpc.inference.InferParameter;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.grpc.inference.ModelMetadataRequest;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The model name read out of a framed gRPC message as the generated classes write it, and as they may. */
class GrpcFramesTest {
    private static final long LIMIT = 1 << 20;

    @Test
    void theNameIsFoundWhateverSurroundsIt() {
        ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("house_price").setModelVersion("2")
                .setId("x").putParameters("p", InferParameter.newBuilder().setInt64Param(-1).build())
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("features").setDatatype("FP32")
                        .addShape(1).addShape(3))
                .addRawInputContents(ByteString.copyFrom(new byte[300])).build();
        assertEquals("house_price", name(request.toByteArray()));
        // Fields may come in any order on the wire, and a later copy of a field wins.
        byte[] reordered = concat(request.toBuilder().clearModelName().build().toByteArray(),
                ModelInferRequest.newBuilder().setModelName("later").build().toByteArray());
        assertEquals("later", name(reordered));
        assertEquals("ünïcode", name(ModelMetadataRequest.newBuilder().setName("ünïcode").build().toByteArray()));
        assertEquals("", name(ModelInferRequest.newBuilder().setId("no name").build().toByteArray()));
    }

    @Test
    void aGzippedMessageIsInflatedToReadIt() throws IOException {
        byte[] message = ModelInferRequest.newBuilder().setModelName("zipped")
                .addRawInputContents(ByteString.copyFrom(new byte[5000])).build().toByteArray();
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(zipped)) {
            out.write(message);
        }
        Buffer framed = Buffer.buffer().appendByte((byte) 1).appendInt(zipped.size()).appendBytes(zipped.toByteArray());
        assertEquals("zipped", GrpcFrames.modelName(framed, "gzip", LIMIT, "model_name"));
        assertThrows(PayloadTooLargeException.class, () -> GrpcFrames.modelName(framed, "gzip", 1000, "model_name"));
    }

    @Test
    void brokenFramesAndMessagesAreBadRequestsSayingWhy() {
        assertMessage("less than the 5-byte message prefix", Buffer.buffer(new byte[] {0, 0}));
        assertMessage("exactly one message", Buffer.buffer().appendByte((byte) 0).appendInt(10).appendBytes(new byte[3]));
        assertMessage("compressed flag 7", GrpcFrames.frame(new byte[0]).setByte(0, (byte) 7));
        assertMessage("runs past the message's end", GrpcFrames.frame(new byte[] {0x0a, 0x05, 'a'}));
        assertMessage("field number 0", GrpcFrames.frame(new byte[] {0x02, 0x00}));
        assertMessage("wire type 3", GrpcFrames.frame(new byte[] {0x0b}));
        assertMessage("not valid UTF-8", GrpcFrames.frame(new byte[] {0x0a, 0x01, (byte) 0xc3}));
        assertMessage("longer than 10 bytes", GrpcFrames.frame(new byte[] {0x08, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1}));
    }

    private static void assertMessage(String mentions, Buffer framed) {
        BadRequestException e = assertThrows(BadRequestException.class,
                () -> GrpcFrames.modelName(framed, null, LIMIT, "model_name"));
        assertTrue(e.getMessage().contains(mentions), e.getMessage());
    }

    private static String name(byte[] message) {
        return GrpcFrames.modelName(GrpcFrames.frame(message), null, LIMIT, "model_name");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
