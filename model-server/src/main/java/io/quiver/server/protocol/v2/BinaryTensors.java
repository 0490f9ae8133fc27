package io.quiver.server.protocol.v2;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.json.JsonBodies;
import io.quiver.server.inference.DataType;
import io.quiver.server.inference.Tensor;
import io.quiver.server.protocol.TensorBytes;
import io.quiver.server.serving.InferenceResult;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The Open Inference Protocol's binary tensor data extension: a JSON header of
 * {@value #HEADER} bytes, then the raw little-endian, row-major bytes of the inputs (or outputs)
 * that carry {@code parameters.binary_data_size}, in their order. BOOL is one byte an element;
 * each BYTES element is a 4-byte little-endian length and then its bytes.
 */
final class BinaryTensors {
    /** The header giving the JSON part's length in bytes, on requests and on answers. */
    static final String HEADER = "Inference-Header-Content-Length";
    static final String SIZE = "binary_data_size";
    /**
     * JSON answers' type, with the charset the REST layer would otherwise add to a copy of it on
     * every answer.
     */
    private static final MediaType JSON = new MediaType("application", "json", StandardCharsets.UTF_8.name());

    private BinaryTensors() {
    }

    /** A request split into its JSON and the place of each input's binary data. */
    record Request(JsonNode json, Slices slices) {
    }

    /** Where each input's bytes lie in the body; {@code offsets[i] < 0} for inputs given as JSON. */
    record Slices(ByteBuffer body, int[] offsets, int[] sizes) {
        boolean binary(int input) {
            return input < offsets.length && offsets[input] >= 0;
        }
    }

    /**
     * Splits {@code body} at the header's length and checks every binary size against the bytes
     * actually received, before anything is allocated from them. Without the header the body is JSON.
     */
    static Request parse(ByteBuffer body, String header) {
        int bodyLength = body.remaining();
        if (header == null) {
            return new Request(JsonBodies.object(json(body, bodyLength)), null);
        }
        int length = headerLength(header, bodyLength);
        JsonNode json = JsonBodies.object(json(body, length));
        JsonNode inputs = json.get("inputs");
        int count = inputs != null && inputs.isArray() ? inputs.size() : 0;
        int[] offsets = new int[count];
        int[] sizes = new int[count];
        Arrays.fill(offsets, -1);
        long remaining = (long) bodyLength - length;
        long next = length;
        for (int i = 0; i < count; i++) {
            JsonNode sizeNode = inputs.get(i).path("parameters").get(SIZE);
            if (sizeNode == null || sizeNode.isNull()) {
                continue;
            }
            String what = "input '" + inputs.get(i).path("name").asText("#" + i) + "'";
            if (!sizeNode.isIntegralNumber() || !sizeNode.canConvertToLong() || sizeNode.longValue() < 0) {
                throw new BadRequestException(what + ": parameters." + SIZE
                        + " must be a non-negative integer, got " + sizeNode);
            }
            long size = sizeNode.longValue();
            if (size > length + remaining - next) {
                throw new BadRequestException(what + ": parameters." + SIZE + " " + size
                        + " runs past the end of the body; " + remaining + " bytes follow the JSON in all");
            }
            offsets[i] = (int) next;
            sizes[i] = (int) size;
            next += size;
        }
        long used = next - length;
        if (used != remaining) {
            throw new BadRequestException("the inputs' binary_data_size add up to " + used + " bytes but "
                    + remaining + " bytes follow the JSON (" + HEADER + ": " + length + ")");
        }
        return new Request(json, new Slices(body.slice(), offsets, sizes));
    }

    /** The first {@code length} bytes of {@code body}, on the heap for the JSON parser. */
    private static byte[] json(ByteBuffer body, int length) {
        byte[] text = new byte[length];
        body.get(body.position(), text);
        return text;
    }

    /**
     * The JSON part's length as the header gives it, to place the binary part that follows it in
     * memory before the body is read; 0 when there is none or it is not a length (which
     * {@link #parse} then refuses).
     */
    static int jsonLength(String header) {
        if (header == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(header.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int headerLength(String header, int bodyLength) {
        String text = header.trim();
        long length;
        try {
            length = text.isEmpty() || !text.chars().allMatch(Character::isDigit) ? -1 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            length = Long.MAX_VALUE;
        }
        if (length < 0) {
            throw new BadRequestException(HEADER + " must be a non-negative integer, got '" + header + "'");
        }
        if (length > bodyLength) {
            throw new BadRequestException(HEADER + " " + text + " is beyond the " + bodyLength
                    + "-byte request body");
        }
        return (int) length;
    }

    /**
     * Input {@code index}'s tensor, {@code count} elements of {@code type}: over its bytes where they
     * lie in the body for fixed-width numbers, decoded for BOOL and BYTES.
     */
    static Tensor read(Slices slices, int index, String name, DataType type, int count, long[] shape, String what) {
        ByteBuffer bytes = slices.body().slice(slices.offsets()[index], slices.sizes()[index]);
        return TensorBytes.read(bytes, name, type, count, shape, what, SIZE);
    }

    /**
     * The outputs to answer in binary: all when the request's {@code parameters.binary_data_output}
     * is true, else those asked for with {@code parameters.binary_data: true} in {@code outputs}.
     */
    static Set<String> binaryOutputs(JsonNode request) {
        JsonNode all = request.path("parameters").get("binary_data_output");
        if (flag(all, "parameters.binary_data_output")) {
            return null;
        }
        Set<String> names = Set.of();
        JsonNode outputs = request.get("outputs");
        if (outputs != null && outputs.isArray()) {
            for (JsonNode output : outputs) {
                JsonNode one = output.path("parameters").get("binary_data");
                if (flag(one, "output '" + output.path("name").asText() + "': parameters.binary_data")) {
                    if (names.isEmpty()) {
                        names = new HashSet<>();
                    }
                    names.add(output.path("name").asText());
                }
            }
        }
        return names;
    }

    private static boolean flag(JsonNode value, String what) {
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new BadRequestException(what + " must be true or false, got " + value);
        }
        return value.booleanValue();
    }

    /** The answer as JSON and then the binary outputs' bytes. */
    static Response answer(ObjectMapper mapper, InferenceResult result, String id, Set<String> binary) {
        if (binary != null && binary.isEmpty()) {
            return Response.ok(V2Codec.encode(result, id), JSON).build();
        }
        Predicate<String> chosen = name -> binary == null || binary.contains(name);
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        V2Messages.InferResponse json = V2Codec.encode(result, id, chosen, tail);
        if (result.outputs().stream().noneMatch(t -> chosen.test(t.name()))) {
            return Response.ok(json, JSON).build();
        }
        byte[] head;
        try {
            head = mapper.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        byte[] body = Arrays.copyOf(head, head.length + tail.size());
        byte[] rest = tail.toByteArray();
        System.arraycopy(rest, 0, body, head.length, rest.length);
        return Response.ok(body, MediaType.APPLICATION_OCTET_STREAM_TYPE).header(HEADER, head.length).build();
    }
}
