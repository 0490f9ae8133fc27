package io.quiver.server.protocol.v2;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.BadRequestException;
import io.quiver.server.inference.DataType;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import io.quiver.server.inference.TensorSpec;
import io.quiver.server.inference.TensorValues;
import io.quiver.common.json.JsonBodies;
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
final class V2Codec {
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
        Set<String> outputs = new LinkedHashSet<>();
        JsonNode requested = body.get("outputs");
        if (requested != null && !requested.isNull()) {
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
        long count;
        try {
            count = Tensor.elementCount(shape);
        } catch (ArithmeticException e) {
            count = Long.MAX_VALUE;
        }
        if (count > Integer.MAX_VALUE) {
            throw new BadRequestException(what + ": shape " + TensorJson.shapeText(shape) + " is too large");
        }
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
            return new Tensor(name, type, shape, BinaryTensors.read(binary, index, type, (int) count, shape, what));
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
        Object flat = TensorJson.flatten(data, type, (int) count, what);
        return new Tensor(name, type, shape, flat);
    }

    static Map<String, Object> encode(InferenceResult result, String requestId) {
        return encode(result, requestId, name -> false, null);
    }

    /**
     * The answer's JSON; the outputs {@code binary} picks are written to {@code tail} instead, with
     * their {@code binary_data_size} in their parameters.
     */
    static Map<String, Object> encode(InferenceResult result, String requestId,
                                      java.util.function.Predicate<String> binary, java.io.ByteArrayOutputStream tail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model_name", result.model().name());
        body.put("model_version", result.model().version());
        if (requestId != null) {
            body.put("id", requestId);
        }
        List<Map<String, Object>> outputs = new ArrayList<>();
        for (Tensor t : result.outputs()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("name", t.name());
            out.put("datatype", t.type().name());
            out.put("shape", t.shape());
            List<String> labels = result.labels(t);
            Map<String, Object> parameters = new LinkedHashMap<>();
            if (!labels.isEmpty()) {
                parameters.put("labels", labels);
            }
            byte[] bytes = binary.test(t.name()) ? BinaryTensors.write(t) : null;
            if (bytes != null) {
                parameters.put(BinaryTensors.SIZE, bytes.length);
                tail.writeBytes(bytes);
            }
            if (!parameters.isEmpty()) {
                out.put("parameters", parameters);
            }
            if (bytes == null) {
                out.put("data", TensorValues.forJson(t));
            }
            outputs.add(out);
        }
        body.put("outputs", outputs);
        return body;
    }

    static Map<String, Object> metadata(ModelInfo model, List<String> versions) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", model.name());
        body.put("versions", versions);
        body.put("platform", "onnxruntime_onnx");
        body.put("inputs", specs(model.signature().inputs()));
        body.put("outputs", specs(model.signature().outputs()));
        return body;
    }

    private static List<Map<String, Object>> specs(List<TensorSpec> specs) {
        return specs.stream().map(s -> {
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("name", s.name());
            spec.put("datatype", s.type().name());
            spec.put("shape", s.shape());
            if (s.labelled()) {
                spec.put("parameters", Map.of("labels", s.labels()));
            }
            return spec;
        }).toList();
    }
}
