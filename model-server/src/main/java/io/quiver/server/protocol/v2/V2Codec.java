package io.quiver.server.protocol.v2;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.BadRequestException;
import io.quiver.server.inference.DataType;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import io.quiver.server.inference.TensorSpec;
import io.quiver.server.inference.TensorValues;
import io.quiver.common.json.JsonBodies;
import io.quiver.server.protocol.TensorBytes;
import io.quiver.server.protocol.TensorJson;
import io.quiver.server.serving.InferenceResult;
import io.quiver.server.serving.ModelInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The Open Inference Protocol's JSON tensors, to and from {@link Tensor}. */
public final class V2Codec {
    private V2Codec() {
    }

    static InferenceRequest decode(JsonNode body) {
        return decode(body, null);
    }

    /** As {@link #decode(JsonNode)}, with the inputs {@code binary} places after the JSON (null: none). */
    static InferenceRequest decode(JsonNode body, BinaryTensors.Slices binary) {
        JsonNode inputs = JsonBodies.required(body, "inputs");
        if (!inputs.isArray() || inputs.isEmpty()) {
            throw new BadRequestException("'inputs' must be a non-empty array of tensors");
        }
        List<Tensor> tensors = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            tensors.add(tensor(inputs.get(i), i, binary));
        }
        Set<String> outputs = Set.of();
        JsonNode requested = body.get("outputs");
        if (requested != null && !requested.isNull()) {
            outputs = new LinkedHashSet<>();
            if (!requested.isArray()) {
                throw new BadRequestException("'outputs' must be an array of {\"name\": ...}");
            }
            for (JsonNode output : requested) {
                if (!output.isObject()) {
                    throw new BadRequestException("each of 'outputs' must be an object with a 'name'");
                }
                outputs.add(JsonBodies.text(output, "name"));
            }
        }
        return new InferenceRequest(tensors, outputs);
    }

    private static Tensor tensor(JsonNode input, int index, BinaryTensors.Slices binary) {
        if (!input.isObject()) {
            throw new BadRequestException("inputs[" + index + "] must be an object with name, shape, datatype and data");
        }
        String name = JsonBodies.text(input, "name");
        String what = "input '" + name + "'";
        String typeName = JsonBodies.text(input, "datatype");
        DataType type = DataType.named(typeName).orElseThrow(() -> new BadRequestException(
                what + " has datatype '" + typeName + "'; supported: " + DataType.NAMES));
        JsonNode shapeNode = JsonBodies.required(input, "shape");
        if (!shapeNode.isArray()) {
            throw new BadRequestException(what + ": 'shape' must be an array of sizes");
        }
        long[] shape = new long[shapeNode.size()];
        for (int d = 0; d < shape.length; d++) {
            JsonNode dim = shapeNode.get(d);
            if (!dim.isIntegralNumber() || !dim.canConvertToLong() || dim.longValue() < 0) {
                throw new BadRequestException(what + ": shape[" + d + "] must be a non-negative integer, got " + dim);
            }
            shape[d] = dim.longValue();
        }
        int count = TensorJson.elementCount(shape, what);
        JsonNode binarySize = input.path("parameters").get(BinaryTensors.SIZE);
        if (binarySize != null && !binarySize.isNull()) {
            if (input.has("data")) {
                throw new BadRequestException(what + " has both 'data' and parameters." + BinaryTensors.SIZE
                        + "; give one");
            }
            if (binary == null || !binary.binary(index)) {
                throw new BadRequestException(what + " has parameters." + BinaryTensors.SIZE + " but the request has no "
                        + BinaryTensors.HEADER + " header saying where its JSON ends");
            }
            return BinaryTensors.read(binary, index, name, type, (int) count, shape, what);
        }
        JsonNode data = JsonBodies.required(input, "data");
        if (data.isArray() && !data.isEmpty() && data.get(0).isArray()) {
            // Nested data must have the declared shape itself, not only its element count.
            long[] nested = TensorJson.shapeOf(data, what + " data");
            if (!java.util.Arrays.equals(nested, shape)) {
                throw new BadRequestException(what + ": data nested as " + TensorJson.shapeText(nested)
                        + " does not match shape " + TensorJson.shapeText(shape));
            }
        }
        Object flat = TensorJson.flatten(data, type, count, what);
        return new Tensor(name, type, shape, flat);
    }

    static V2Messages.InferResponse encode(InferenceResult result, String requestId) {
        return encode(result, requestId, name -> false, null);
    }

    /**
     * The answer's JSON; the outputs {@code binary} picks are written to {@code tail} instead, with
     * their {@code binary_data_size} in their parameters.
     */
    static V2Messages.InferResponse encode(InferenceResult result, String requestId,
                                           java.util.function.Predicate<String> binary,
                                           java.io.ByteArrayOutputStream tail) {
        List<V2Messages.InferOutput> outputs = new ArrayList<>(result.outputs().size());
        for (Tensor t : result.outputs()) {
            List<String> labels = result.labels(t);
            byte[] bytes = binary.test(t.name()) ? TensorBytes.write(t) : null;
            Map<String, Object> parameters = null;
            if (!labels.isEmpty() || bytes != null) {
                parameters = new LinkedHashMap<>();
                if (!labels.isEmpty()) {
                    parameters.put("labels", labels);
                }
                if (bytes != null) {
                    parameters.put(BinaryTensors.SIZE, bytes.length);
                    tail.writeBytes(bytes);
                }
            }
            outputs.add(new V2Messages.InferOutput(t.name(), t.type().name(), t.shape(),
                    parameters, bytes == null ? TensorValues.forJson(t) : null));
        }
        return new V2Messages.InferResponse(result.model().name(), result.model().version(), requestId, outputs);
    }

    public static V2Messages.ModelMetadata metadata(ModelInfo model, List<String> versions) {
        return new V2Messages.ModelMetadata(model.name(), versions, "onnxruntime_onnx",
                specs(model.signature().inputs()), specs(model.signature().outputs()));
    }

    private static List<V2Messages.TensorMetadata> specs(List<TensorSpec> specs) {
        return specs.stream().map(s -> new V2Messages.TensorMetadata(s.name(), s.type().name(), s.shape(),
                s.labelled() ? Map.<String, Object>of("labels", s.labels()) : null)).toList();
    }
}
