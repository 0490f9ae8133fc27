package io.quiver.server.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quiver.common.error.BadRequestException;
import io.quiver.server.inference.DataType;
import io.quiver.server.inference.ModelSignature;
import io.quiver.server.inference.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code MLmodel} file of an MLflow model directory, as far as serving it needs: the
 * {@code onnx} flavour's model file, and the signature's inputs. A column signature
 * ({@code [{"name": "sqft", "type": "double"}, ...]}) becomes the model's feature names, in its
 * order, so rows given as objects fill the input as MLflow would; its column types, and a tensor
 * signature's dtypes and shapes, are checked against the ONNX graph when the model loads.
 *
 * @param shownAs  how messages name the file
 * @param onnxModel the ONNX file, relative to the directory ({@code flavors.onnx.onnx_model})
 * @param inputs   the signature's inputs; empty when the model was logged without a signature
 */
public record MlflowModelFile(String shownAs, String onnxModel, List<InputSpec> inputs) {
    public static final String FILE = "MLmodel";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** MLflow column types and the ONNX types their values may fill. */
    private static final Map<String, String> COLUMN_TYPES = Map.of("double", "number", "float", "number",
            "long", "number", "integer", "number", "boolean", "boolean", "string", "string", "binary", "string");
    private static final Map<String, DataType> DTYPES = Map.ofEntries(Map.entry("float16", DataType.FP16),
            Map.entry("float32", DataType.FP32), Map.entry("float64", DataType.FP64), Map.entry("int8", DataType.INT8),
            Map.entry("int16", DataType.INT16), Map.entry("int32", DataType.INT32), Map.entry("int64", DataType.INT64),
            Map.entry("uint8", DataType.UINT8), Map.entry("uint16", DataType.UINT16), Map.entry("uint32", DataType.UINT32),
            Map.entry("uint64", DataType.UINT64), Map.entry("bool", DataType.BOOL), Map.entry("object", DataType.BYTES),
            Map.entry("str", DataType.BYTES), Map.entry("bytes", DataType.BYTES));

    /**
     * One input of the signature: a column ({@code type} is MLflow's column type) or a tensor
     * ({@code type} {@code tensor}, with {@code dtype} and {@code shape}).
     */
    public record InputSpec(String name, String type, String dtype, long[] shape) {
        boolean tensor() {
            return "tensor".equals(type);
        }
    }

    public static boolean isMlflowFile(Path file) {
        return file.getFileName() != null && file.getFileName().toString().equals(FILE);
    }

    /** Reads {@code file}; @throws BadRequestException naming {@code shownAs} when it is not a served MLflow model */
    public static MlflowModelFile read(Path file, String shownAs) {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new BadRequestException(shownAs + " is not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (root == null || !root.isObject()) {
            throw new BadRequestException(shownAs + " is not an MLmodel file: no 'flavors'");
        }
        JsonNode flavors = root.path("flavors");
        if (!flavors.isObject()) {
            throw new BadRequestException(shownAs + " is not an MLmodel file: no 'flavors'");
        }
        JsonNode onnx = flavors.path("onnx").path("onnx_model");
        if (!onnx.isTextual() || onnx.asText().isBlank()) {
            List<String> names = new ArrayList<>();
            flavors.fieldNames().forEachRemaining(names::add);
            throw new BadRequestException(shownAs + " has no onnx flavour naming its model (flavors.onnx.onnx_model); "
                    + "its flavours are " + names + ", and only ONNX models are served");
        }
        String onnxModel = onnx.asText();
        Path relative = Path.of(onnxModel).normalize();
        if (relative.isAbsolute() || relative.startsWith("..") || onnxModel.contains("\\")) {
            throw new BadRequestException(shownAs + ": flavors.onnx.onnx_model '" + onnxModel
                    + "' must be a file inside the model directory");
        }
        return new MlflowModelFile(shownAs, relative.toString().replace('\\', '/'), inputs(root.path("signature"), shownAs));
    }

    private static List<InputSpec> inputs(JsonNode signature, String shownAs) {
        JsonNode inputs = signature.path("inputs");
        if (inputs.isMissingNode() || inputs.isNull()) {
            return List.of();
        }
        JsonNode specs;
        try {
            // MLflow writes the inputs as a JSON string inside the YAML.
            specs = inputs.isTextual() ? JSON.readTree(inputs.asText()) : inputs;
        } catch (JsonProcessingException e) {
            throw new BadRequestException(shownAs + ": signature.inputs is not JSON: " + e.getOriginalMessage());
        }
        if (specs == null || !specs.isArray()) {
            throw new BadRequestException(shownAs + ": signature.inputs must be a list of column or tensor specs");
        }
        List<InputSpec> parsed = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            parsed.add(input(specs.get(i), i, shownAs));
        }
        if (parsed.stream().map(InputSpec::tensor).distinct().count() > 1) {
            throw new BadRequestException(shownAs + ": signature.inputs mixes columns and tensors");
        }
        return List.copyOf(parsed);
    }

    private static InputSpec input(JsonNode spec, int index, String shownAs) {
        String where = shownAs + ": signature.inputs[" + index + "]";
        String type = spec.path("type").asText("");
        String name = spec.path("name").isTextual() ? spec.path("name").asText() : null;
        if (type.equals("tensor")) {
            JsonNode tensor = spec.path("tensor-spec");
            String dtype = tensor.path("dtype").asText("");
            if (!DTYPES.containsKey(dtype)) {
                throw new BadRequestException(where + " has tensor dtype '" + dtype + "'; served are " + DTYPES.keySet()
                        .stream().sorted().toList());
            }
            JsonNode shape = tensor.path("shape");
            if (!shape.isArray() || shape.isEmpty()) {
                throw new BadRequestException(where + " has no tensor-spec.shape");
            }
            long[] dims = new long[shape.size()];
            for (int d = 0; d < dims.length; d++) {
                if (!shape.get(d).canConvertToLong()) {
                    throw new BadRequestException(where + ": tensor-spec.shape must be integers");
                }
                dims[d] = shape.get(d).asLong();
            }
            return new InputSpec(name, type, dtype, dims);
        }
        if (!COLUMN_TYPES.containsKey(type)) {
            throw new BadRequestException(where + " has type '" + type + "'; served are 'tensor' and the column types "
                    + COLUMN_TYPES.keySet().stream().sorted().toList());
        }
        if (name == null || name.isBlank()) {
            throw new BadRequestException(where + " is a column without a name");
        }
        return new InputSpec(name, type, null, null);
    }

    /** The descriptor an MLflow directory has in place of {@code model.json}: its columns as features. */
    public ModelDescriptor descriptor() {
        List<String> features = inputs.stream().filter(i -> !i.tensor()).map(InputSpec::name).toList();
        return new ModelDescriptor(null, null, features, null, null, null, null);
    }

    /** Refuses a signature the ONNX graph cannot take, naming the file, the input and what differs. */
    public void check(ModelSignature signature) {
        if (inputs.isEmpty()) {
            return;
        }
        List<TensorSpec> graph = signature.inputs();
        if (inputs.get(0).tensor()) {
            checkTensors(graph);
        } else if (graph.size() == 1) {
            checkColumns(graph.get(0));
        } else {
            // Several graph inputs: MLflow's onnx flavour feeds each from the column of its name.
            Set<String> columns = inputs.stream().map(InputSpec::name).collect(Collectors.toSet());
            Set<String> names = graph.stream().map(TensorSpec::name).collect(Collectors.toSet());
            if (!columns.equals(names)) {
                throw new BadRequestException(shownAs + ": the signature's columns " + columns.stream().sorted().toList()
                        + " are not the model's inputs " + names.stream().sorted().toList());
            }
            for (InputSpec column : inputs) {
                TensorSpec input = signature.input(column.name()).orElseThrow();
                checkColumnType(column, input);
            }
        }
    }

    private void checkColumns(TensorSpec input) {
        long[] shape = input.shape();
        if (shape.length != 2) {
            throw new BadRequestException(shownAs + ": the signature has " + inputs.size() + " columns, but the model's "
                    + "input '" + input.name() + "' is " + input.shapeText() + ", not [rows, features]");
        }
        if (shape[1] >= 0 && shape[1] != inputs.size()) {
            throw new BadRequestException(shownAs + ": the signature has " + inputs.size() + " columns "
                    + inputs.stream().map(InputSpec::name).toList() + ", but the model's input '" + input.name()
                    + "' takes " + shape[1] + " features");
        }
        inputs.forEach(column -> checkColumnType(column, input));
    }

    private void checkColumnType(InputSpec column, TensorSpec input) {
        String kind = COLUMN_TYPES.get(column.type());
        DataType type = input.type();
        boolean fits = switch (kind) {
            case "number" -> type.numeric();
            case "boolean" -> type == DataType.BOOL || type.numeric();
            default -> type == DataType.BYTES;
        };
        if (!fits) {
            throw new BadRequestException(shownAs + ": column '" + column.name() + "' is " + column.type()
                    + ", but the model's input '" + input.name() + "' is " + type);
        }
    }

    private void checkTensors(List<TensorSpec> graph) {
        if (inputs.size() != graph.size()) {
            throw new BadRequestException(shownAs + ": the signature has " + inputs.size() + " tensors, but the model takes "
                    + graph.size() + " inputs " + graph.stream().map(TensorSpec::name).toList());
        }
        for (int i = 0; i < inputs.size(); i++) {
            InputSpec spec = inputs.get(i);
            TensorSpec input = spec.name() == null ? graph.get(i)
                    : graph.stream().filter(g -> g.name().equals(spec.name())).findFirst().orElseThrow(() ->
                            new BadRequestException(shownAs + ": the signature's tensor '" + spec.name()
                                    + "' is not an input of the model; its inputs are "
                                    + graph.stream().map(TensorSpec::name).toList()));
            DataType expected = DTYPES.get(spec.dtype());
            if (expected != input.type()) {
                throw new BadRequestException(shownAs + ": the signature's tensor " + label(spec, input) + " is "
                        + spec.dtype() + ", but the model's input is " + input.type());
            }
            if (spec.shape().length != input.shape().length) {
                throw new BadRequestException(shownAs + ": the signature's tensor " + label(spec, input) + " has rank "
                        + spec.shape().length + ", but the model's input is " + input.shapeText());
            }
            for (int d = 0; d < spec.shape().length; d++) {
                long given = spec.shape()[d];
                long wanted = input.shape()[d];
                if (given >= 0 && wanted >= 0 && given != wanted) {
                    throw new BadRequestException(shownAs + ": the signature's tensor " + label(spec, input) + " has shape "
                            + java.util.Arrays.toString(spec.shape()) + ", but the model's input is " + input.shapeText());
                }
            }
        }
    }

    private static String label(InputSpec spec, TensorSpec input) {
        return "'" + (spec.name() == null ? input.name() : spec.name()) + "'";
    }

    /** Where the ONNX file is in the directory of {@code mlmodel}. */
    public Path onnxFileBeside(Path mlmodel) {
        return mlmodel.resolveSibling(onnxModel);
    }

    @Override
    public String toString() {
        return shownAs + " (" + onnxModel + ", " + inputs.size() + " inputs)";
    }
}
