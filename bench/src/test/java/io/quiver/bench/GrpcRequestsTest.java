package io.quiver.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnknownFieldSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The messages {@link GrpcRequests} writes without generated stubs, read back by protobuf's own
 * parser as any gRPC server reads them: {@code ModelInferRequest} field 1 the model name, field 5
 * one input (name, datatype, packed shape), field 7 its raw little-endian contents. (protobuf-java
 * is on the class path already: example-models writes ONNX files with it.)
 */
class GrpcRequestsTest {
    @TempDir
    Path directory;

    @Test
    void writesAModelInferRequestPerModel() throws IOException {
        GrpcRequests.main(new String[] {directory.toString()});

        assertRequest("house_price", "house_price", "features", List.of(1L, 3L), new float[] {1200f, 3f, 10f});
        float[] pixels = ImageRequests.pixels();
        assertRequest("image", "image", "pixels", List.of(1L, 3L, 224L, 224L), pixels);
        assertRequest("convnet", "convnet", "pixels", List.of(1L, 3L, 224L, 224L), pixels);
    }

    private void assertRequest(String file, String model, String input, List<Long> shape, float[] values)
            throws IOException {
        UnknownFieldSet request = UnknownFieldSet.parseFrom(Files.readAllBytes(directory.resolve(file + ".grpc")));
        assertEquals(model, only(request, 1).toStringUtf8());

        UnknownFieldSet tensor = UnknownFieldSet.parseFrom(only(request, 5));
        assertEquals(input, only(tensor, 1).toStringUtf8());
        assertEquals("FP32", only(tensor, 2).toStringUtf8());
        CodedInputStream packed = only(tensor, 3).newCodedInput();
        List<Long> dimensions = new ArrayList<>();
        while (!packed.isAtEnd()) {
            dimensions.add(packed.readInt64());
        }
        assertEquals(shape, dimensions);

        ByteString raw = only(request, 7);
        float[] contents = new float[raw.size() / Float.BYTES];
        ByteBuffer.wrap(raw.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(contents);
        assertEquals(values.length * Float.BYTES, raw.size());
        assertArrayEquals(values, contents);
    }

    private static ByteString only(UnknownFieldSet message, int field) {
        List<ByteString> values = message.getField(field).getLengthDelimitedList();
        assertEquals(1, values.size(), "field " + field);
        return values.get(0);
    }
}
