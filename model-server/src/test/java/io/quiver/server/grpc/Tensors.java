package io.quiver.server.grpc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.quiver.common.numbers.HalfFloats;
import io.quiver.grpc.inference.InferTensorContents;
import io.quiver.grpc.inference.ModelInferRequest;
import io.quiver.grpc.inference.ModelInferRequest.InferInputTensor;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test inputs written once as text and sent three ways: as gRPC typed contents, as gRPC raw bytes,
 * and as V2 REST JSON, so that the answers can be compared.
 */
final class Tensors {
    /** Four elements ({@code [2, 2]}) of each datatype, at the edges of its range. */
    static final Map<String, List<String>> SAMPLES = new LinkedHashMap<>();

    static {
        SAMPLES.put("UINT8", List.of("0", "1", "127", "255"));
        SAMPLES.put("UINT16", List.of("0", "1", "32767", "65535"));
        SAMPLES.put("UINT32", List.of("0", "1", "2147483647", "4294967295"));
        SAMPLES.put("UINT64", List.of("0", "1", "9223372036854775807", "18446744073709551615"));
        SAMPLES.put("INT8", List.of("-128", "-1", "0", "127"));
        SAMPLES.put("INT16", List.of("-32768", "-1", "0", "32767"));
        SAMPLES.put("INT32", List.of("-2147483648", "-1", "0", "2147483647"));
        SAMPLES.put("INT64", List.of("-9223372036854775808", "-1", "0", "9223372036854775807"));
        SAMPLES.put("FP16", List.of("0", "1", "-2", "0.5"));
        SAMPLES.put("BF16", List.of("0", "1", "-2", "0.5"));
        SAMPLES.put("FP32", List.of("0", "-1.5", "1.25", "1e-30"));
        SAMPLES.put("FP64", List.of("0", "-1.5", "1e300", "0.1"));
        SAMPLES.put("BOOL", List.of("true", "false", "false", "true"));
        SAMPLES.put("BYTES", List.of("a", "", "ünï", "four"));
    }

    static final long[] SHAPE = {2, 2};

    private Tensors() {
    }

    /** every_datatype's input of a datatype: named for its ONNX element type ({@code in_float16}). */
    static String input(String type) {
        return "in_" + onnxName(type);
    }

    static String output(String type) {
        return "out_" + onnxName(type);
    }

    private static String onnxName(String type) {
        return switch (type) {
            case "FP16" -> "float16";
            case "BF16" -> "bfloat16";
            case "FP32" -> "float";
            case "FP64" -> "double";
            case "BYTES" -> "string";
            default -> type.toLowerCase(java.util.Locale.ROOT);
        };
    }

    static InferInputTensor.Builder header(String name, String type, long... shape) {
        InferInputTensor.Builder input = InferInputTensor.newBuilder().setName(name).setDatatype(type);
        for (long d : shape) {
            input.addShape(d);
        }
        return input;
    }

    static InferTensorContents typed(String type, List<String> values) {
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        for (String v : values) {
            switch (type) {
                case "BOOL" -> c.addBoolContents(Boolean.parseBoolean(v));
                case "INT8", "INT16", "INT32" -> c.addIntContents(Integer.parseInt(v));
                case "INT64" -> c.addInt64Contents(Long.parseLong(v));
                case "UINT8", "UINT16", "UINT32" -> c.addUintContents(Integer.parseUnsignedInt(v));
                case "UINT64" -> c.addUint64Contents(Long.parseUnsignedLong(v));
                case "FP32" -> c.addFp32Contents(Float.parseFloat(v));
                case "FP64" -> c.addFp64Contents(Double.parseDouble(v));
                case "BYTES" -> c.addBytesContents(ByteString.copyFromUtf8(v));
                default -> throw new IllegalArgumentException(type + " has no typed contents");
            }
        }
        return c.build();
    }

    static ByteString raw(String type, List<String> values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String v : values) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            switch (type) {
                case "BOOL" -> b.put((byte) (Boolean.parseBoolean(v) ? 1 : 0));
                case "INT8", "UINT8" -> b.put((byte) Integer.parseInt(v));
                case "INT16", "UINT16" -> b.putShort((short) Integer.parseInt(v));
                case "INT32" -> b.putInt(Integer.parseInt(v));
                case "UINT32" -> b.putInt(Integer.parseUnsignedInt(v));
                case "INT64" -> b.putLong(Long.parseLong(v));
                case "UINT64" -> b.putLong(Long.parseUnsignedLong(v));
                case "FP16" -> b.putShort(HalfFloats.toFp16(Double.parseDouble(v)));
                case "BF16" -> b.putShort(HalfFloats.toBf16(Double.parseDouble(v)));
                case "FP32" -> b.putFloat(Float.parseFloat(v));
                case "FP64" -> b.putDouble(Double.parseDouble(v));
                case "BYTES" -> {
                    byte[] s = v.getBytes(StandardCharsets.UTF_8);
                    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(s.length).array());
                    out.writeBytes(s);
                    continue;
                }
                default -> throw new IllegalArgumentException(type);
            }
            out.write(b.array(), 0, b.position());
        }
        return ByteString.copyFrom(out.toByteArray());
    }

    /** The same inputs as a V2 REST JSON request. */
    static ObjectNode restRequest(Map<String, String> inputsByType) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ArrayNode inputs = body.putArray("inputs");
        inputsByType.forEach((name, type) -> {
            ObjectNode input = inputs.addObject().put("name", name).put("datatype", type);
            input.putArray("shape").add(SHAPE[0]).add(SHAPE[1]);
            ArrayNode data = input.putArray("data");
            for (String v : SAMPLES.get(type)) {
                switch (type) {
                    case "BOOL" -> data.add(Boolean.parseBoolean(v));
                    case "BYTES" -> data.add(v);
                    case "FP16", "BF16", "FP32", "FP64" -> data.add(new BigDecimal(v));
                    default -> data.add(new BigInteger(v));
                }
            }
        });
        return body;
    }

    static ModelInferRequest.Builder request(String model) {
        return ModelInferRequest.newBuilder().setModelName(model);
    }
}
