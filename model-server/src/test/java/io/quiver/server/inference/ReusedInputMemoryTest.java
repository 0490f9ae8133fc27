package io.quiver.server.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.examples.ExampleModels;
import io.quiver.examples.ReferenceModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An inference thread builds every run's inputs in the same direct memory: runs of different
 * sizes, one after the other on one thread, each answer from their own inputs and never from what
 * an earlier run left there, whether the inputs came as arrays (JSON) or as raw little-endian bytes
 * (the binary extension); and a run larger than the kept memory may hold is served without the
 * thread keeping more.
 */
class ReusedInputMemoryTest {
    @TempDir
    static Path repository;

    private OnnxModel model;
    private long limitBefore;

    @BeforeEach
    void open() throws Exception {
        ExampleModels.writeRepository(repository);
        model = OnnxModel.open(repository.resolve(ExampleModels.MULTI_INPUT).resolve("1").resolve("model.onnx"), 1);
        limitBefore = InputStaging.retainedLimit;
    }

    @AfterEach
    void close() {
        InputStaging.retainedLimit = limitBefore;
        model.close();
    }

    @Test
    void runsOfEverySizeAnswerFromTheirOwnInputs() throws Exception {
        Random random = new Random(42);
        // Large, small, larger, smallest: a smaller run after a larger one finds its bytes in use.
        for (int rows : new int[] {300, 2, 1000, 1, 64, 1000}) {
            assertRunAnswers(rows, random, rows % 2 == 0);
        }
        assertTrue(InputStaging.retainedByThisThread() >= 1000 * 2 * (4 + 8 + 4 + 8 + 1),
                "the thread keeps the memory its largest run needed: " + InputStaging.retainedByThisThread());
    }

    @Test
    void aRunOverTheLimitIsServedWithoutTheThreadKeepingMore() throws Exception {
        Random random = new Random(7);
        assertRunAnswers(10, random, true);
        int kept = InputStaging.retainedByThisThread();
        InputStaging.retainedLimit = kept;
        assertRunAnswers(5000, random, false);
        assertRunAnswers(5000, random, true);
        assertEquals(kept, InputStaging.retainedByThisThread(), "memory kept by the thread");
        assertRunAnswers(3, random, true);
    }

    private void assertRunAnswers(int rows, Random random, boolean raw) throws Exception {
        int n = rows * 2;
        float[] a = new float[n];
        long[] b = new long[n];
        int[] c = new int[n];
        double[] d = new double[n];
        boolean[] mask = new boolean[n];
        for (int i = 0; i < n; i++) {
            a[i] = random.nextInt(2000) / 8f;
            b[i] = random.nextInt(1000) - 500;
            c[i] = random.nextInt(1000) - 500;
            d[i] = random.nextGaussian();
            mask[i] = random.nextBoolean();
        }
        long[] shape = {rows, 2};
        List<Tensor> inputs = List.of(
                raw ? Tensor.raw("a", DataType.FP32, shape, floats(a)) : new Tensor("a", DataType.FP32, shape, a),
                raw ? Tensor.raw("b", DataType.INT64, shape, longs(b)) : new Tensor("b", DataType.INT64, shape, b),
                new Tensor("c", DataType.INT32, shape, c),
                raw ? Tensor.raw("d", DataType.FP64, shape, doubles(d)) : new Tensor("d", DataType.FP64, shape, d),
                new Tensor("mask", DataType.BOOL, shape, mask));
        Map<String, Tensor> outputs = model.run(InferenceRequest.of(inputs)).stream()
                .collect(Collectors.toMap(Tensor::name, t -> t));

        double[] aWide = new double[n];
        for (int i = 0; i < n; i++) {
            aWide[i] = a[i];
        }
        double[] sum = ReferenceModels.multiInputSum(aWide, b, c);
        float[] gotSum = (float[]) outputs.get("sum").array();
        for (int i = 0; i < n; i++) {
            assertEquals(sum[i], gotSum[i], 1e-3, "sum[" + i + "] of a run of " + rows + " rows");
        }
        assertArrayEquals(ReferenceModels.multiInputDoubled(d), (double[]) outputs.get("doubled").array(), 1e-12);
        assertArrayEquals(ReferenceModels.multiInputCount(b, c), (long[]) outputs.get("count").array());
        assertArrayEquals(ReferenceModels.multiInputInverted(mask), (boolean[]) outputs.get("inverted").array());
    }

    /**
     * Room for {@code bytes} inside a larger array, three bytes in, as an input's bytes lie in a
     * request body after its JSON: not at the start of their array, nor aligned.
     */
    private static ByteBuffer littleEndian(int bytes) {
        return ByteBuffer.allocate(bytes + 8).position(3).limit(3 + bytes).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer floats(float[] values) {
        ByteBuffer bytes = littleEndian(values.length * 4);
        bytes.asFloatBuffer().put(values);
        return bytes;
    }

    private static ByteBuffer longs(long[] values) {
        ByteBuffer bytes = littleEndian(values.length * 8);
        bytes.asLongBuffer().put(values);
        return bytes;
    }

    private static ByteBuffer doubles(double[] values) {
        ByteBuffer bytes = littleEndian(values.length * 8);
        bytes.asDoubleBuffer().put(values);
        return bytes;
    }
}
