package io.quiver.server.protocol;

import io.quiver.server.inference.DataType;
import io.quiver.server.inference.ModelSignature;
import io.quiver.server.inference.TensorSpec;
import io.quiver.server.repository.InputLayout;
import io.quiver.server.repository.ModelDescriptor;
import io.quiver.server.serving.ModelInfo;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The models the row decoders' fuzz tests decode for, one of each kind of signature the row rules
 * (docs/model-server/api.md, "Rows") treat differently. An input's first character, a digit,
 * picks one by {@link #pick}, so that one corpus covers them all. Signatures written here, not read
 * from ONNX files: the decoders read only the signature and the descriptor.
 */
public final class FuzzModels {
    private static final List<ModelInfo> MODELS = List.of(
            // 0: one 2-D input whose features the descriptor names
            model("house_price", new ModelDescriptor(null, null, List.of("sqft", "rooms", "age"), null, null, null, null),
                    spec("features", DataType.FP32, -1, 3)),
            // 1: several inputs, a row an object keyed by input name
            model("two_inputs", ModelDescriptor.NONE, spec("a", DataType.FP32, -1, 2), spec("b", DataType.INT64, -1, 1)),
            // 2: a forecaster that reads the last 4 values of a series
            model("forecaster", new ModelDescriptor(null, null, null, null, InputLayout.WINDOW, null, null, 4, 1,
                    null, null, null, null, null, null, null, null), spec("series", DataType.FP32, -1, 4)),
            // 3: a sequence model, a series of any length
            model("lstm", new ModelDescriptor(null, null, null, null, InputLayout.SEQUENCE, null, null),
                    spec("x", DataType.FP32, -1, -1, 1)),
            // 4: one value a row, of every narrow type the JSON values must fit
            model("flags", ModelDescriptor.NONE, spec("flag", DataType.BOOL, -1), spec("small", DataType.UINT8, -1),
                    spec("text", DataType.BYTES, -1)),
            // 5: a 2-D input without named features (keys sorted), and a 16-bit float input
            model("unnamed", ModelDescriptor.NONE, spec("values", DataType.FP16, -1, 2)));

    private FuzzModels() {
    }

    /** The model the input's first byte names (its value modulo the number of models). */
    public static ModelInfo pick(byte first) {
        return MODELS.get(Math.floorMod(first - '0', MODELS.size()));
    }

    private static TensorSpec spec(String name, DataType type, long... shape) {
        return new TensorSpec(name, type, shape, new String[shape.length]);
    }

    private static ModelInfo model(String name, ModelDescriptor descriptor, TensorSpec... inputs) {
        return new ModelInfo(name, "1", descriptor, new ModelSignature(List.of(inputs),
                List.of(spec("out", DataType.FP32, -1, 1))), Path.of(name, "1", "model.onnx"), 0, Instant.EPOCH);
    }
}
