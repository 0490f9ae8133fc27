package io.quiver.server.inference;

import io.quiver.common.error.BadRequestException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a request against a model's signature so that ONNX Runtime only ever sees inputs it
 * declared, of the declared type, rank and fixed dimensions. Each failure names the input and what
 * was expected.
 */
public final class InputValidator {
    private final int maxBatchRows;

    public InputValidator(int maxBatchRows) {
        this.maxBatchRows = maxBatchRows;
    }

    public void validate(InferenceRequest request, ModelSignature signature) {
        // Run on every request; for a request with one input it allocates nothing. Clients mostly
        // send the inputs in the model's order: while they come so, each is the signature's input at
        // its place, and none can be given twice (a model's input names are distinct). Out of order,
        // each is looked up and compared with those before it.
        List<Tensor> inputs = request.inputs();
        List<TensorSpec> specs = signature.inputs();
        boolean inOrder = true;
        for (int i = 0; i < inputs.size(); i++) {
            Tensor tensor = inputs.get(i);
            TensorSpec spec;
            if (inOrder && i < specs.size() && specs.get(i).name().equals(tensor.name())) {
                spec = specs.get(i);
            } else {
                inOrder = false;
                spec = signature.input(tensor.name()).orElseThrow(() -> new BadRequestException(
                        "unknown input '" + tensor.name() + "'; the model takes " + names(signature)));
                for (int j = 0; j < i; j++) {
                    if (inputs.get(j).name().equals(tensor.name())) {
                        throw new BadRequestException("input '" + tensor.name() + "' is given twice");
                    }
                }
            }
            check(tensor, spec);
        }
        // Every input given is declared and none twice, so equal counts mean none is missing.
        if (inputs.size() != specs.size()) {
            for (TensorSpec spec : specs) {
                if (!given(inputs, spec.name())) {
                    throw new BadRequestException("missing input '" + spec.name() + "' (" + spec.type() + " "
                            + spec.shapeText() + ")");
                }
            }
        }
        if (inputs.size() > 1) {
            checkSharedDimensions(request, signature);
        }
        for (String output : request.outputs()) {
            if (signature.output(output).isEmpty()) {
                throw new BadRequestException("unknown output '" + output + "'; the model gives "
                        + signature.outputs().stream().map(TensorSpec::name).toList());
            }
        }
    }

    private static boolean given(List<Tensor> inputs, String name) {
        for (Tensor tensor : inputs) {
            if (tensor.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private void check(Tensor tensor, TensorSpec spec) {
        String name = tensor.name();
        if (tensor.type() != spec.type()) {
            throw new BadRequestException("input '" + name + "' expects datatype " + spec.type() + ", got "
                    + tensor.type());
        }
        long[] shape = tensor.shape();
        if (shape.length != spec.shape().length) {
            throw new BadRequestException("input '" + name + "' expects rank " + spec.shape().length + " "
                    + spec.shapeText() + ", got shape " + Arrays.toString(shape));
        }
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0 || (!spec.dynamic(d) && shape[d] != spec.shape()[d])) {
                throw new BadRequestException("input '" + name + "' expects shape " + spec.shapeText()
                        + ", got " + Arrays.toString(shape) + " (dimension " + d + ")");
            }
        }
        if (shape.length > 0 && shape[0] == 0) {
            throw new BadRequestException("input '" + name + "' has no rows");
        }
        if (shape.length > 0 && spec.dynamic(0) && shape[0] > maxBatchRows) {
            throw new BadRequestException("input '" + name + "' has " + shape[0] + " rows; at most "
                    + maxBatchRows + " are accepted (quiver.limits.max-batch-rows)");
        }
    }

    /** Inputs that name the same symbolic dimension ("batch") must agree on its size (two inputs or more). */
    private static void checkSharedDimensions(InferenceRequest request, ModelSignature signature) {
        Map<String, String> firstSeenIn = new HashMap<>();
        Map<String, Long> sizes = new HashMap<>();
        for (Tensor tensor : request.inputs()) {
            String[] names = signature.input(tensor.name()).orElseThrow().dimensionNames();
            for (int d = 0; d < names.length && d < tensor.shape().length; d++) {
                String dim = names[d];
                if (dim == null || dim.isEmpty()) {
                    continue;
                }
                Long known = sizes.putIfAbsent(dim, tensor.shape()[d]);
                firstSeenIn.putIfAbsent(dim, tensor.name());
                if (known != null && known != tensor.shape()[d]) {
                    throw new BadRequestException("inputs '" + firstSeenIn.get(dim) + "' and '" + tensor.name()
                            + "' disagree on dimension '" + dim + "': " + known + " vs " + tensor.shape()[d]);
                }
            }
        }
    }

    private static String names(ModelSignature signature) {
        return signature.inputs().stream().map(s -> s.name() + " " + s.type() + " " + s.shapeText()).toList()
                .toString();
    }
}
