package io.quiver.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Opens exporter models in ONNX Runtime in-process and reads their non-tensor outputs. */
final class OrtModels {
    static final OrtEnvironment ENVIRONMENT = OrtEnvironment.getEnvironment();

    private OrtModels() {
    }

    static OrtSession open(String name) throws OrtException {
        return open(ExporterModels.model(name));
    }

    static OrtSession open(byte[] model) throws OrtException {
        return ENVIRONMENT.createSession(model, new OrtSession.SessionOptions());
    }

    /** ZipMap's {@code seq(map(K, float))}: one map per row, from class label to probability. */
    @SuppressWarnings("unchecked")
    static <K> List<Map<K, Float>> zipMapRows(OnnxValue value) throws OrtException {
        OnnxSequence sequence = (OnnxSequence) value;
        List<Map<K, Float>> rows = new ArrayList<>();
        for (OnnxValue element : sequence.getValue()) {
            rows.add((Map<K, Float>) ((OnnxMap) element).getValue());
        }
        return rows;
    }

    static void assertClose(double[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + "[" + i + "]");
        }
    }
}
