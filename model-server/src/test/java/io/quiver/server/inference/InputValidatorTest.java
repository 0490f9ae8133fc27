package io.quiver.server.inference;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quiver.common.error.BadRequestException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The checks a request meets before ONNX Runtime sees it, whatever order its inputs come in: the
 * validator takes a shortcut while they come in the model's order, and must judge alike either way.
 */
class InputValidatorTest {
    private static final List<String> NAMES = List.of("a", "b", "c", "d");
    private static final ModelSignature SIGNATURE = new ModelSignature(
            NAMES.stream().map(n -> new TensorSpec(n, DataType.FP32, new long[] {-1, 2},
                    new String[] {"batch", ""})).toList(),
            List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 1}, new String[] {"batch", ""})));
    private final InputValidator validator = new InputValidator(64);

    private static Tensor input(String name, long rows) {
        return new Tensor(name, DataType.FP32, new long[] {rows, 2}, new float[(int) rows * 2]);
    }

    private static InferenceRequest request(List<String> names) {
        return new InferenceRequest(names.stream().map(n -> input(n, 1)).toList(), Set.of());
    }

    private String refusal(List<String> names) {
        return assertThrows(BadRequestException.class,
                () -> validator.validate(request(names), SIGNATURE)).getMessage();
    }

    @Test
    void everyOrderOfTheInputsIsAccepted() {
        List<String> names = new ArrayList<>(NAMES);
        for (int shift = 0; shift < names.size(); shift++) {
            Collections.rotate(names, 1);
            List<String> order = List.copyOf(names);
            assertDoesNotThrow(() -> validator.validate(request(order), SIGNATURE), order.toString());
            List<String> reversed = new ArrayList<>(order);
            Collections.reverse(reversed);
            assertDoesNotThrow(() -> validator.validate(request(reversed), SIGNATURE), reversed.toString());
        }
    }

    @Test
    void anInputGivenTwiceIsRefusedInOrderOrNot() {
        assertEquals("input 'a' is given twice", refusal(List.of("a", "b", "a", "d")));
        assertEquals("input 'b' is given twice", refusal(List.of("a", "b", "b")));
        assertEquals("input 'c' is given twice", refusal(List.of("c", "a", "c", "d")));
    }

    @Test
    void aMissingOrUnknownInputIsNamed() {
        assertEquals("missing input 'c' (FP32 [?, 2])", refusal(List.of("a", "b", "d")));
        assertEquals("missing input 'a' (FP32 [?, 2])", refusal(List.of("d", "c", "b")));
        assertEquals("unknown input 'e'; the model takes [a FP32 [?, 2], b FP32 [?, 2], c FP32 [?, 2], "
                + "d FP32 [?, 2]]", refusal(List.of("a", "b", "e", "d")));
    }

    @Test
    void inputsOutOfOrderMustStillAgreeOnTheirSharedDimension() {
        InferenceRequest ragged = new InferenceRequest(
                List.of(input("b", 1), input("a", 1), input("d", 2), input("c", 1)), Set.of());
        assertEquals("inputs 'b' and 'd' disagree on dimension 'batch': 1 vs 2",
                assertThrows(BadRequestException.class, () -> validator.validate(ragged, SIGNATURE)).getMessage());
    }
}
