package io.quiver.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.quiver.examples.OnnxModelWriter.Attribute;
import io.quiver.examples.OnnxModelWriter.ElementType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnnxModelWriterTest {

    /** Negative attributes and initializer values are int64 two's complement on the wire. */
    @Test
    void onnxRuntimeRunsAWrittenGraphWithNegativeIntegers() throws OrtException {
        byte[] model = OnnxModelWriter.graph("negatives")
                .input("x", ElementType.INT64, "n", 3)
                .output("y", ElementType.INT64, "n")
                .initializer("offset", new long[] {3}, new long[] {-1, -1_000_000_000_000L, 5})
                .node("Add", List.of("x", "offset"), List.of("shifted"))
                .node("ArgMax", List.of("shifted"), List.of("y"),
                        Attribute.integer("axis", -1), Attribute.integer("keepdims", 0))
                .toByteArray();
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession session = environment.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(environment, new long[][] {{0, 0, 0}, {7, 1_000_000_000_010L, 0}});
             OrtSession.Result result = session.run(Map.of("x", x))) {
            assertArrayEquals(new long[] {2, 1}, (long[]) result.get(0).getValue());
        }
    }

    @Test
    void rejectsInitializersWhoseValuesDoNotFillTheirShape() {
        OnnxModelWriter graph = OnnxModelWriter.graph("bad");
        assertThrows(IllegalArgumentException.class,
                () -> graph.initializer("w", new long[] {2, 2}, new float[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class,
                () -> graph.input("x", ElementType.FLOAT, 1.5));
    }

    @Test
    void elementTypesUseOnnxDataTypeCodes() {
        assertEquals(List.of(1, 6, 7, 8, 9, 11),
                List.of(ElementType.values()).stream().map(type -> type.code).toList());
    }
}
