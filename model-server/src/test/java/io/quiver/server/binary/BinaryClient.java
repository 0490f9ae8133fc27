package io.quiver.server.binary;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A client of the Open Inference Protocol's binary tensor data extension, written from its
 * specification alone: a JSON header whose length {@code Inference-Header-Content-Length} gives,
 * then each binary tensor's little-endian, row-major bytes in order.
 */
final class BinaryClient {
    static final String HEADER = "Inference-Header-Content-Length";
    static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode header = JSON.createObjectNode();
    private final ArrayNode inputs = header.putArray("inputs");
    private final ByteArrayOutputStream tail = new ByteArrayOutputStream();

    /** An input given as raw bytes after the JSON. */
    BinaryClient binary(String name, String datatype, long[] shape, byte[] bytes) {
        ObjectNode input = inputs.addObject().put("name", name).put("datatype", datatype);
        shape(input, shape);
        input.putObject("parameters").put("binary_data_size", bytes.length);
        tail.writeBytes(bytes);
        return this;
    }

    /** An input given as JSON data. */
    BinaryClient json(String name, String datatype, long[] shape, Object data) {
        ObjectNode input = inputs.addObject().put("name", name).put("datatype", datatype);
        shape(input, shape);
        input.set("data", JSON.valueToTree(data));
        return this;
    }

    /** Asks for an output, in binary or not. */
    BinaryClient output(String name, boolean binary) {
        ArrayNode outputs = header.has("outputs") ? (ArrayNode) header.get("outputs") : header.putArray("outputs");
        ObjectNode output = outputs.addObject().put("name", name);
        if (binary) {
            output.putObject("parameters").put("binary_data", true);
        }
        return this;
    }

    /** Asks for every output in binary. */
    BinaryClient allBinary() {
        header.putObject("parameters").put("binary_data_output", true);
        return this;
    }

    ObjectNode header() {
        return header;
    }

    byte[] jsonBytes() {
        try {
            return JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] body() {
        return concat(jsonBytes(), tail.toByteArray());
    }

    /** Posts with the header and {@code application/octet-stream}. */
    Response post(String path) {
        return post(path, body(), String.valueOf(jsonBytes().length));
    }

    static Response post(String path, byte[] body, String headerLength) {
        return given().header(HEADER, headerLength).contentType("application/octet-stream").body(body).post(path);
    }

    private static void shape(ObjectNode input, long[] shape) {
        ArrayNode dims = input.putArray("shape");
        for (long d : shape) {
            dims.add(d);
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] fp32(float... values) {
        ByteBuffer b = buffer(values.length * 4);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static byte[] fp64(double... values) {
        ByteBuffer b = buffer(values.length * 8);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }

    static byte[] int64(long... values) {
        ByteBuffer b = buffer(values.length * 8);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    static byte[] int32(int... values) {
        ByteBuffer b = buffer(values.length * 4);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    static byte[] int16(int... values) {
        ByteBuffer b = buffer(values.length * 2);
        for (int v : values) {
            b.putShort((short) v);
        }
        return b.array();
    }

    static byte[] int8(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    static byte[] bool(boolean... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) (values[i] ? 1 : 0);
        }
        return out;
    }

    /** BYTES: each element a 4-byte little-endian length, then its bytes. */
    static byte[] bytes(byte[]... elements) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] e : elements) {
            out.writeBytes(buffer(4).putInt(e.length).array());
            out.writeBytes(e);
        }
        return out.toByteArray();
    }

    static byte[] strings(String... elements) {
        return bytes(Arrays.stream(elements).map(s -> s.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new));
    }

    /** A binary answer: its JSON, and each binary output's bytes by name. */
    record Answer(JsonNode json, Map<String, byte[]> binary) {
        static Answer of(Response response) {
            byte[] body = response.asByteArray();
            String length = response.header(HEADER);
            if (length == null) {
                return new Answer(read(body), Map.of());
            }
            int jsonLength = Integer.parseInt(length);
            JsonNode json = read(Arrays.copyOf(body, jsonLength));
            Map<String, byte[]> binary = new LinkedHashMap<>();
            int next = jsonLength;
            for (JsonNode output : json.path("outputs")) {
                JsonNode size = output.path("parameters").get("binary_data_size");
                if (size != null) {
                    binary.put(output.path("name").asText(), Arrays.copyOfRange(body, next, next + size.intValue()));
                    next += size.intValue();
                }
            }
            if (next != body.length) {
                throw new AssertionError("binary sizes add to " + (next - jsonLength) + " but "
                        + (body.length - jsonLength) + " bytes follow the JSON");
            }
            return new Answer(json, binary);
        }

        JsonNode output(String name) {
            for (JsonNode output : json.path("outputs")) {
                if (output.path("name").asText().equals(name)) {
                    return output;
                }
            }
            throw new AssertionError("no output " + name + " in " + json);
        }

        ByteBuffer bytes(String name) {
            byte[] b = binary.get(name);
            if (b == null) {
                throw new AssertionError("output " + name + " is not binary: " + json);
            }
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        }

        float[] fp32(String name) {
            ByteBuffer b = bytes(name);
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        }

        double[] fp64(String name) {
            ByteBuffer b = bytes(name);
            double[] out = new double[b.remaining() / 8];
            b.asDoubleBuffer().get(out);
            return out;
        }

        long[] int64(String name) {
            ByteBuffer b = bytes(name);
            long[] out = new long[b.remaining() / 8];
            b.asLongBuffer().get(out);
            return out;
        }

        boolean[] bool(String name) {
            byte[] b = binary.get(name);
            boolean[] out = new boolean[b.length];
            for (int i = 0; i < b.length; i++) {
                out[i] = b[i] != 0;
            }
            return out;
        }

        String[] strings(String name) {
            ByteBuffer b = bytes(name);
            java.util.List<String> out = new java.util.ArrayList<>();
            while (b.hasRemaining()) {
                byte[] e = new byte[b.getInt()];
                b.get(e);
                out.add(new String(e, StandardCharsets.UTF_8));
            }
            return out.toArray(String[]::new);
        }
    }

    private static JsonNode read(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
