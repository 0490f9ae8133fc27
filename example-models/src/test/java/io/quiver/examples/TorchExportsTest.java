package io.quiver.examples;

import static io.quiver.examples.OrtModels.ENVIRONMENT;
import static io.quiver.examples.OrtModels.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.quiver.common.numbers.HalfFloats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The torch.onnx-style models run in ONNX Runtime and agree with {@link ExporterReference}. */
class TorchExportsTest {
    /** FP32 outputs against the double reference: float32 rounding of a few dozen operations. */
    private static final double FLOAT_TOLERANCE = 1e-5;

    /** Inputs on a 1/16 grid: with the 1/8-grid weights every product and sum is exact in half, so answers are bit-exact. */
    @Test
    void halfPrecisionIsExactWhereHalfIsExact() throws OrtException {
        float[][] rows = {{1f, 2f, 3f, 4f}, {-0.5f, 0.25f, 1.5f, -2f}, {0.0625f, -3f, 0.75f, 0.5f}};
        short[][] out = runHalf(rows);
        for (int row = 0; row < rows.length; row++) {
            float[] expected = ExporterReference.halfMlp(rows[row]);
            for (int j = 0; j < expected.length; j++) {
                assertEquals(HalfFloats.toFp16(expected[j]), out[row][j], "row " + row + " output " + j
                        + ": expected " + expected[j] + ", got " + HalfFloats.fp16ToFloat(out[row][j]));
            }
        }
    }

    /**
     * Arbitrary inputs round in every operator; ONNX Runtime may keep an intermediate in float32
     * (the CPU provider runs half MatMul through float), so each answer is within one half ulp.
     */
    @Test
    void halfPrecisionRoundsToWithinOneUlp() throws OrtException {
        float[][] rows = {{0.1f, 0.2f, 0.3f, 0.4f}, {3.14159f, -2.71828f, 1.41421f, 0.57721f}, {100.3f, -7.77f, 12.5f, 0.001f}};
        short[][] out = runHalf(rows);
        for (int row = 0; row < rows.length; row++) {
            float[] expected = ExporterReference.halfMlp(rows[row]);
            for (int j = 0; j < expected.length; j++) {
                float actual = HalfFloats.fp16ToFloat(out[row][j]);
                assertEquals(expected[j], actual, ulp(expected[j]), "row " + row + " output " + j);
            }
        }
    }

    /** The gap between {@code value}'s half and the next half away from zero: one unit in the last place. */
    private static float ulp(float value) {
        short bits = (short) (HalfFloats.toFp16(Math.abs(value)) & 0x7fff);
        return HalfFloats.fp16ToFloat((short) (bits + 1)) - HalfFloats.fp16ToFloat(bits);
    }

    private static short[][] runHalf(float[][] rows) throws OrtException {
        ShortBuffer bits = ByteBuffer.allocateDirect(rows.length * 4 * 2).order(ByteOrder.nativeOrder()).asShortBuffer();
        for (float[] row : rows) {
            for (float v : row) {
                bits.put(HalfFloats.toFp16(v));
            }
        }
        bits.rewind();
        try (OrtSession session = OrtModels.open(ExporterModels.TORCH_FP16_MLP);
             OnnxTensor input = OnnxTensor.createTensor(ENVIRONMENT, bits, new long[] {rows.length, 4}, OnnxJavaType.FLOAT16);
             OrtSession.Result result = session.run(Map.of("input", input))) {
            OnnxTensor output = (OnnxTensor) result.get("output").orElseThrow();
            assertEquals(OnnxJavaType.FLOAT16, output.getInfo().type);
            assertArrayEquals(new long[] {rows.length, 2}, output.getInfo().getShape());
            ShortBuffer values = output.getShortBuffer();
            short[][] out = new short[rows.length][2];
            for (short[] row : out) {
                values.get(row);
            }
            return out;
        }
    }

    @Test
    void uint8PixelsAreNormalisedPooledAndClassified() throws OrtException {
        int[][][][] images = new int[3][3][4][4];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    images[0][c][y][x] = 255; // white, and pixels above 127 prove they are read unsigned
                    images[1][c][y][x] = 0;
                    images[2][c][y][x] = (37 * c + 16 * y + 61 * x) % 256;
                }
            }
        }
        ByteBuffer pixels = ByteBuffer.allocateDirect(images.length * 48);
        for (int[][][] image : images) {
            for (int[][] channel : image) {
                for (int[] line : channel) {
                    for (int p : line) {
                        pixels.put((byte) p);
                    }
                }
            }
        }
        pixels.rewind();
        try (OrtSession session = OrtModels.open(ExporterModels.TORCH_UINT8_IMAGE);
             OnnxTensor input = OnnxTensor.createTensor(ENVIRONMENT, pixels, new long[] {images.length, 3, 4, 4},
                     OnnxJavaType.UINT8);
             OrtSession.Result result = session.run(Map.of("pixels", input))) {
            float[][] logits = (float[][]) result.get("logits").orElseThrow().getValue();
            for (int i = 0; i < images.length; i++) {
                assertClose(ExporterReference.imageLogits(images[i]), logits[i], FLOAT_TOLERANCE, "image " + i);
            }
        }
    }

    @Test
    void aRankZeroInputScalesAndARankZeroOutputSums() throws OrtException {
        float[][] x = {{1.5f, -2f, 0.25f}, {3f, 4f, -5.5f}};
        long k = -3;
        try (OrtSession session = OrtModels.open(ExporterModels.TORCH_SCALAR_INPUT);
             OnnxTensor xs = OnnxTensor.createTensor(ENVIRONMENT, x);
             OnnxTensor ks = OnnxTensor.createTensor(ENVIRONMENT, k)) {
            assertArrayEquals(new long[0], ks.getInfo().getShape());
            Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
            feeds.put("x", xs);
            feeds.put("k", ks);
            try (OrtSession.Result result = session.run(feeds)) {
                float[][] scaled = (float[][]) result.get("scaled").orElseThrow().getValue();
                for (int row = 0; row < x.length; row++) {
                    assertClose(ExporterReference.scaled(x[row], k), scaled[row], FLOAT_TOLERANCE, "row " + row);
                }
                OnnxTensor total = (OnnxTensor) result.get("total").orElseThrow();
                assertArrayEquals(new long[0], total.getInfo().getShape(), "total is rank 0");
                assertEquals(ExporterReference.total(x, k), (Float) total.getValue(), FLOAT_TOLERANCE);
            }
        }
    }
}
