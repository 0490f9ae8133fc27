package io.quiver.server.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.server.inference.DataType;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RowBatchesTest {

    private static InferenceRequest request(long[] ints, String[] words, boolean[] flags) {
        int rows = words.length;
        return InferenceRequest.of(List.of(
                new Tensor("ints", DataType.INT64, new long[] {rows, ints.length / rows}, ints),
                new Tensor("words", DataType.BYTES, new long[] {rows}, words),
                new Tensor("flags", DataType.BOOL, new long[] {rows, 1}, flags)));
    }

    @Test
    void mergedRowsOfEveryTypeSplitBackToTheRequestsTheyCameFrom() {
        InferenceRequest one = request(new long[] {1, 2}, new String[] {"a"}, new boolean[] {true});
        InferenceRequest two = request(new long[] {3, 4, 5, 6}, new String[] {"b", "c"}, new boolean[] {false, true});
        assertTrue(RowBatches.mergeable(one) && RowBatches.mergeable(two) && RowBatches.sameRun(one, two));

        InferenceRequest merged = RowBatches.merge(List.of(one, two));
        Tensor ints = merged.inputs().get(0);
        assertArrayEquals(new long[] {3, 2}, ints.shape());
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6}, (long[]) ints.data());
        assertArrayEquals(new String[] {"a", "b", "c"}, (String[]) merged.inputs().get(1).data());
        assertArrayEquals(new boolean[] {true, false, true}, (boolean[]) merged.inputs().get(2).data());

        // The run's outputs are the merged inputs themselves: each request must get its own back.
        List<List<Tensor>> shares = RowBatches.split(merged.inputs(), new int[] {1, 2});
        assertArrayEquals(new long[] {1, 2}, (long[]) shares.get(0).get(0).data());
        assertArrayEquals(new long[] {1, 2}, shares.get(0).get(0).shape());
        assertArrayEquals(new String[] {"b", "c"}, (String[]) shares.get(1).get(1).data());
        assertArrayEquals(new boolean[] {false, true}, (boolean[]) shares.get(1).get(2).data());
    }

    @Test
    void requestsThatDifferBeyondTheFirstDimensionOrInOutputsAreNotMerged() {
        InferenceRequest pairs = request(new long[] {1, 2}, new String[] {"a"}, new boolean[] {true});
        InferenceRequest triples = request(new long[] {1, 2, 3}, new String[] {"a"}, new boolean[] {true});
        assertFalse(RowBatches.sameRun(pairs, triples));
        assertFalse(RowBatches.sameRun(triples, pairs));
        InferenceRequest onlyWords = new InferenceRequest(pairs.inputs(), Set.of("words"));
        assertFalse(RowBatches.sameRun(pairs, onlyWords));
        InferenceRequest floats = InferenceRequest.of(List.of(
                new Tensor("ints", DataType.FP32, new long[] {1, 2}, new float[2]),
                pairs.inputs().get(1), pairs.inputs().get(2)));
        assertFalse(RowBatches.sameRun(pairs, floats));
        InferenceRequest fewer = InferenceRequest.of(pairs.inputs().subList(0, 2));
        assertFalse(RowBatches.sameRun(pairs, fewer));
    }

    @Test
    void theOrderOfInputsDoesNotKeepRequestsApart() {
        InferenceRequest one = request(new long[] {1, 2}, new String[] {"a"}, new boolean[] {true});
        List<Tensor> reversed = new java.util.ArrayList<>(one.inputs());
        java.util.Collections.reverse(reversed);
        assertTrue(RowBatches.sameRun(one, InferenceRequest.of(reversed)));
    }

    @Test
    void inputsThatDisagreeOnRowsCannotShareARun() {
        InferenceRequest ragged = InferenceRequest.of(List.of(
                new Tensor("a", DataType.FP32, new long[] {2}, new float[2]),
                new Tensor("b", DataType.FP32, new long[] {3}, new float[3])));
        assertFalse(RowBatches.mergeable(ragged));
    }

    @Test
    void outputsWhoseRowsAreNotTheInputsRowsCannotBeSplit() {
        Tensor summed = new Tensor("total", DataType.FP32, new long[] {1}, new float[1]);
        assertNull(RowBatches.split(List.of(summed), new int[] {1, 2}));
    }

    @Test
    void slicesOfARequestJoinBackIntoTheWhole() {
        InferenceRequest whole = request(new long[] {1, 2, 3, 4, 5, 6}, new String[] {"a", "b", "c"},
                new boolean[] {true, false, true});
        List<Tensor> joined = RowBatches.join(List.of(
                RowBatches.slice(whole, 0, 2).inputs(), RowBatches.slice(whole, 2, 3).inputs()));
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(whole.inputs().get(i).shape(), joined.get(i).shape());
            assertEquals(whole.inputs().get(i).name(), joined.get(i).name());
        }
        assertArrayEquals((long[]) whole.inputs().get(0).data(), (long[]) joined.get(0).data());
        assertArrayEquals((String[]) whole.inputs().get(1).data(), (String[]) joined.get(1).data());
    }
}
