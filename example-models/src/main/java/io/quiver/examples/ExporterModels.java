package io.quiver.examples;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes the exporter-style repository: models shaped the way skl2onnx and torch.onnx write them
 * (ai.onnx.ml operators, ZipMap's sequence of maps, FLOAT16, UINT8 images, rank-0 tensors,
 * strings) plus one model with an input and output of every tensor type ONNX Runtime serves. It
 * is kept apart from the quick start's repository so that listing those models stays as it is.
 * {@link ExporterReference} computes what each model should answer.
 */
public final class ExporterModels {
    public static final String SKLEARN_LOGREG_INT = "sklearn_logreg_int";
    public static final String SKLEARN_LOGREG_STR = "sklearn_logreg_str";
    public static final String SKLEARN_FOREST_INT = "sklearn_forest_int";
    public static final String SKLEARN_LABEL_ENCODER = "sklearn_label_encoder";
    public static final String TORCH_FP16_MLP = "torch_fp16_mlp";
    public static final String TORCH_UINT8_IMAGE = "torch_uint8_image";
    public static final String TORCH_SCALAR_INPUT = "torch_scalar_input";
    public static final String EVERY_DATATYPE = "every_datatype";

    /**
     * Every tensor element type the identity model carries, in input order; the suffix of its
     * {@code in_<type>} and {@code out_<type>} names is the lower-case type name.
     */
    public static final List<DataType> EVERY_TYPE = List.of(
            DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64,
            DataType.INT8, DataType.INT16, DataType.INT32, DataType.INT64,
            DataType.FLOAT16, DataType.BFLOAT16, DataType.FLOAT, DataType.DOUBLE,
            DataType.BOOL, DataType.STRING);

    /** Identity has covered bfloat16 since opset 13; 17 is what current exporters default to. */
    private static final int EVERY_DATATYPE_OPSET = 17;

    private static final Map<String, Model> MODELS = new LinkedHashMap<>();

    private record Model(Supplier<ModelProto> build, String description) {
    }

    static {
        MODELS.put(SKLEARN_LOGREG_INT, new Model(SklearnExports::logisticRegressionIntLabels,
                "skl2onnx LogisticRegression (multinomial) on integer classes: LinearClassifier, ZipMap."));
        MODELS.put(SKLEARN_LOGREG_STR, new Model(SklearnExports::logisticRegressionStringLabels,
                "skl2onnx LogisticRegression (multinomial) on iris species names: string labels, ZipMap."));
        MODELS.put(SKLEARN_FOREST_INT, new Model(SklearnExports::randomForest,
                "skl2onnx RandomForestClassifier of three trees: TreeEnsembleClassifier, ZipMap."));
        MODELS.put(SKLEARN_LABEL_ENCODER, new Model(SklearnExports::labelEncoder,
                "skl2onnx LabelEncoder of colour names to codes; unknown names give -1."));
        MODELS.put(TORCH_FP16_MLP, new Model(TorchExports::halfPrecisionMlp,
                "torch.onnx export of a two-layer MLP after .half(): FLOAT16 in, weights and out."));
        MODELS.put(TORCH_UINT8_IMAGE, new Model(TorchExports::imagePreprocessing,
                "torch.onnx export of UINT8 RGB pixels through ImageNet normalisation, pooling and a linear head."));
        MODELS.put(TORCH_SCALAR_INPUT, new Model(TorchExports::scalarInput,
                "torch.onnx export of x * k with k a rank-0 INT64 input, and the rank-0 sum."));
        MODELS.put(EVERY_DATATYPE, new Model(ExporterModels::everyDatatype,
                "Identity over one input of every ONNX tensor type that ONNX Runtime serves."));
    }

    private ExporterModels() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ExporterModels <repository directory>");
            System.exit(2);
        }
        writeRepository(Paths.get(args[0]));
    }

    /** The names of every model, in the order they are written. */
    public static List<String> names() {
        return List.copyOf(MODELS.keySet());
    }

    /** One model's serialized ModelProto. */
    public static byte[] model(String name) {
        Model model = MODELS.get(name);
        if (model == null) {
            throw new IllegalArgumentException("no exporter model " + name + "; there are " + names());
        }
        return model.build().get().toByteArray();
    }

    /** Writes every model as {@code <root>/<name>/1/model.onnx} with a {@code model.json}, replacing what is there. */
    public static void writeRepository(Path root) throws IOException {
        for (var entry : MODELS.entrySet()) {
            String descriptor = """
                    {
                      "description": "%s"
                    }
                    """.formatted(entry.getValue().description());
            ExampleModels.write(root, entry.getKey(), 1, entry.getValue().build().get().toByteArray(), descriptor);
        }
    }

    /** {@code in_<type>} for an element type of {@link #EVERY_TYPE}. */
    public static String inputName(DataType type) {
        return "in_" + type.name().toLowerCase(Locale.ROOT);
    }

    public static String outputName(DataType type) {
        return "out_" + type.name().toLowerCase(Locale.ROOT);
    }

    static ModelProto everyDatatype() {
        return identities(EVERY_TYPE);
    }

    /** {@code out_<type> = Identity(in_<type>)}, each {@code [N, 2]}, for the given types. */
    public static ModelProto identities(List<DataType> types) {
        GraphProto.Builder graph = GraphProto.newBuilder().setName(EVERY_DATATYPE);
        for (DataType type : types) {
            graph.addInput(OnnxProtos.tensor(inputName(type), type, "N", 2))
                    .addOutput(OnnxProtos.tensor(outputName(type), type, "N", 2))
                    .addNode(OnnxProtos.node("", "Identity", "Identity_" + type.name().toLowerCase(Locale.ROOT),
                            List.of(inputName(type)), List.of(outputName(type))));
        }
        return OnnxProtos.model("quiver-example-models", "1", graph.build(), Map.of("", EVERY_DATATYPE_OPSET));
    }
}
