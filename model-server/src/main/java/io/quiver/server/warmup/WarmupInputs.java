package io.quiver.server.warmup;

import io.quiver.common.error.BadRequestException;
import io.quiver.server.inference.DataType;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.ModelSignature;
import io.quiver.server.inference.Tensor;
import io.quiver.server.inference.TensorSpec;
import io.quiver.server.protocol.TensorJson;
import io.quiver.server.repository.ModelDescriptor;
import io.quiver.server.repository.ModelDescriptor.SampleInput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The inputs of a warm-up run: a descriptor's samples, or ones made from the model's signature. */
final class WarmupInputs {
    /** A string that parses as a number too, for a model that casts its strings to numbers. */
    static final String GENERATED_STRING = "0";

    private WarmupInputs() {
    }

    /**
     * One row of zeros (false, {@value #GENERATED_STRING} for strings) for every input, each
     * dynamic dimension 1: the smallest request of every datatype the model takes.
     */
    static InferenceRequest generated(ModelSignature signature) {
        List<Tensor> inputs = new ArrayList<>(signature.inputs().size());
        for (TensorSpec spec : signature.inputs()) {
            long[] shape = Arrays.stream(spec.shape()).map(d -> d < 0 ? 1 : d).toArray();
            Object data = spec.type().newArray(TensorJson.elementCount(shape, "input '" + spec.name() + "'"));
            if (spec.type() == DataType.BYTES) {
                Arrays.fill((String[]) data, GENERATED_STRING);
            }
            inputs.add(new Tensor(spec.name(), spec.type(), shape, data));
        }
        return InferenceRequest.of(inputs);
    }

    /** Values of several magnitudes and lengths of digits, as clients' floating-point inputs have. */
    private static final double[] VARIED = {1234.5, 0.0625, 3.0, 17.25, 0.3333, 98765.43, 2.5e-4, 42.0};

    /** {@code generated}'s inputs with their FP32 and FP64 values replaced by {@link #VARIED} ones, the rest as they were. */
    static InferenceRequest varied(InferenceRequest generated) {
        List<Tensor> inputs = new ArrayList<>(generated.inputs().size());
        for (Tensor input : generated.inputs()) {
            Object data = input.array();
            if (data instanceof float[] floats) {
                float[] values = new float[floats.length];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) VARIED[i % VARIED.length];
                }
                data = values;
            } else if (data instanceof double[] doubles) {
                double[] values = new double[doubles.length];
                for (int i = 0; i < values.length; i++) {
                    values[i] = VARIED[i % VARIED.length];
                }
                data = values;
            }
            inputs.add(new Tensor(input.name(), input.type(), input.shape(), data));
        }
        return InferenceRequest.of(inputs);
    }

    /** A descriptor's samples as tensors; whether they fit the signature is the validator's to say. */
    static InferenceRequest declared(List<SampleInput> samples) {
        List<Tensor> inputs = new ArrayList<>(samples.size());
        for (SampleInput sample : samples) {
            String what = "input '" + sample.name() + "'";
            DataType type = DataType.named(sample.datatype()).orElseThrow(() -> new BadRequestException(
                    what + " has datatype '" + sample.datatype() + "'; one of " + DataType.NAMES + " is needed"));
            int count = TensorJson.elementCount(sample.shape(), what);
            inputs.add(new Tensor(sample.name(), type, sample.shape().clone(),
                    TensorJson.flatten(sample.data(), type, count, what)));
        }
        return InferenceRequest.of(inputs);
    }

    /** The descriptor's samples when it declares some, else inputs generated from the signature. */
    static InferenceRequest of(ModelDescriptor.Warmup settings, ModelSignature signature) {
        return settings.inputs().isEmpty() ? generated(signature) : declared(settings.inputs());
    }

    /** {@code features FP32 [1, 3], mask BOOL [1]}: what a warm-up ran on, for its log lines. */
    static String describe(InferenceRequest request) {
        return String.join(", ", request.inputs().stream()
                .map(t -> t.name() + " " + t.type() + " " + Arrays.toString(t.shape())).toList());
    }
}
