package io.quiver.server.protocol;

import static io.quiver.common.fuzz.ClientFaults.LONGEST_RUN;
import static io.quiver.common.fuzz.ClientFaults.refusedOrDecoded;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.quiver.common.fuzz.HeadedInput;
import io.quiver.server.inference.DataType;
import java.nio.ByteBuffer;

/**
 * Raw tensor bytes, as gRPC's raw_input_contents and the binary tensor data extension carry them,
 * read for the datatype and shape the request declares: a tensor, or a 4xx naming the mismatch.
 */
class TensorBytesFuzzTest {

    /**
     * The input's first line declares the tensor as a request would, {@code FP32 2,3} (a datatype,
     * then the shape; no dimensions for a scalar); the rest are its bytes.
     */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void rawContents(byte[] input) {
        HeadedInput tensor = HeadedInput.split(input);
        if (tensor == null) {
            return;
        }
        String[] declared = tensor.head().split(" ", 2);
        DataType type = DataType.named(declared[0]).orElse(null);
        long[] shape = declared.length < 2 || declared[1].isEmpty() ? new long[0] : parseShape(declared[1]);
        if (type == null || shape == null) {
            // The decoders refuse unknown datatypes and negative or non-numeric sizes before the bytes.
            return;
        }
        ByteBuffer bytes = ByteBuffer.wrap(tensor.body());
        refusedOrDecoded(() -> {
            int count = TensorJson.elementCount(shape, "input 'x'");
            TensorBytes.read(bytes, "x", type, count, shape, "input 'x'", "raw_input_contents[0]");
        });
    }

    private static long[] parseShape(String text) {
        String[] parts = text.split(",", -1);
        long[] shape = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                shape[i] = Long.parseLong(parts[i]);
            } catch (NumberFormatException e) {
                return null;
            }
            if (shape[i] < 0) {
                return null;
            }
        }
        return shape;
    }
}
