package io.quiver.examples;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Protocol Buffers wire encoding of one message: just the field kinds ONNX models need. */
final class ProtoWriter {
    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtoWriter varint(int field, long value) {
        tag(field, VARINT);
        rawVarint(out, value);
        return this;
    }

    ProtoWriter float32(int field, float value) {
        tag(field, FIXED32);
        rawFixed32(out, Float.floatToRawIntBits(value));
        return this;
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter message(int field, ProtoWriter message) {
        return bytes(field, message.toByteArray());
    }

    ProtoWriter packedVarints(int field, long[] values) {
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        for (long value : values) {
            rawVarint(packed, value);
        }
        return bytes(field, packed.toByteArray());
    }

    ProtoWriter packedFloats(int field, float[] values) {
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        for (float value : values) {
            rawFixed32(packed, Float.floatToRawIntBits(value));
        }
        return bytes(field, packed.toByteArray());
    }

    ProtoWriter packedDoubles(int field, double[] values) {
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        for (double value : values) {
            long bits = Double.doubleToRawLongBits(value);
            rawFixed32(packed, (int) bits);
            rawFixed32(packed, (int) (bits >>> 32));
        }
        return bytes(field, packed.toByteArray());
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private ProtoWriter bytes(int field, byte[] value) {
        tag(field, LENGTH_DELIMITED);
        rawVarint(out, value.length);
        out.writeBytes(value);
        return this;
    }

    private void tag(int field, int wireType) {
        rawVarint(out, ((long) field << 3) | wireType);
    }

    /** Negative values take the full ten bytes: int64 fields are two's complement, not zigzag. */
    static void rawVarint(ByteArrayOutputStream target, long value) {
        while ((value & ~0x7FL) != 0) {
            target.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        target.write((int) value);
    }

    private static void rawFixed32(ByteArrayOutputStream target, int bits) {
        for (int shift = 0; shift < 32; shift += 8) {
            target.write(bits >>> shift);
        }
    }
}
