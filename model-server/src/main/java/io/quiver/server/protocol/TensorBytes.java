package io.quiver.server.protocol;

import io.quiver.common.error.BadRequestException;
import io.quiver.server.inference.DataType;
import io.quiver.server.inference.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Tensor elements as raw bytes, the layout both the REST binary tensor data extension and gRPC's
 * {@code raw_input_contents}/{@code raw_output_contents} use: flat, row-major, little-endian, no
 * padding; BOOL one byte an element; each BYTES element a 4-byte little-endian length and then its
 * UTF-8 bytes. Messages name the input and the field ({@code field}) the bytes came in.
 */
public final class TensorBytes {
    private TensorBytes() {
    }

    /**
     * The tensor of {@code count} elements of {@code type} in {@code bytes} (position to limit):
     * held over those bytes where they lie for fixed-width numbers ({@link Tensor#raw}), so they go
     * to ONNX Runtime with one copy; decoded for BOOL and BYTES.
     */
    public static Tensor read(ByteBuffer bytes, String name, DataType type, int count, long[] shape, String what,
                              String field) {
        bytes = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (type == DataType.BYTES) {
            return new Tensor(name, type, shape, strings(bytes, count, what, field));
        }
        int size = bytes.remaining();
        long expected = (long) count * type.byteSize();
        if (size != expected) {
            throw new BadRequestException(what + ": " + field + " is " + size + " bytes but shape "
                    + Arrays.toString(shape) + " of " + type + " takes " + expected);
        }
        if (type == DataType.BOOL) {
            boolean[] flat = new boolean[count];
            for (int i = 0; i < count; i++) {
                flat[i] = bytes.get(i) != 0;
            }
            return new Tensor(name, type, shape, flat);
        }
        return Tensor.raw(name, type, shape, bytes);
    }

    private static String[] strings(ByteBuffer bytes, int count, String what, String field) {
        // Each element takes at least its 4-byte length, so a count the bytes cannot hold is refused
        // before the array is made.
        if ((long) count * 4 > bytes.remaining()) {
            throw new BadRequestException(what + ": " + bytes.remaining() + " bytes cannot hold " + count
                    + " BYTES elements (each a 4-byte length and its bytes)");
        }
        CharsetDecoder utf8 = utf8Decoder();
        String[] out = new String[count];
        for (int i = 0; i < count; i++) {
            if (bytes.remaining() < 4) {
                throw new BadRequestException(what + ": element " + i + "'s 4-byte length runs past the input's "
                        + bytes.limit() + " bytes");
            }
            long length = Integer.toUnsignedLong(bytes.getInt());
            if (length > bytes.remaining()) {
                throw new BadRequestException(what + ": element " + i + " has length " + length
                        + " which runs past the input's " + bytes.limit() + " bytes");
            }
            ByteBuffer element = bytes.slice(bytes.position(), (int) length);
            bytes.position(bytes.position() + (int) length);
            out[i] = utf8(utf8, element, what, i);
        }
        if (bytes.hasRemaining()) {
            throw new BadRequestException(what + ": " + bytes.remaining() + " bytes are left after its "
                    + count + " BYTES elements; " + field + " does not match the shape");
        }
        return out;
    }

    /** One BYTES element as text; ONNX string tensors hold text, so bytes that are not UTF-8 are refused. */
    public static String utf8(CharsetDecoder decoder, ByteBuffer element, String what, int index) {
        try {
            return decoder.reset().decode(element).toString();
        } catch (CharacterCodingException e) {
            throw new BadRequestException(what + ": element " + index + " is not valid UTF-8 text");
        }
    }

    /** A strict UTF-8 decoder for {@link #utf8}. */
    public static CharsetDecoder utf8Decoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** A tensor's elements in this layout. */
    public static byte[] write(Tensor t) {
        int n = t.size();
        Object data = t.array();
        if (t.type() == DataType.BYTES) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (String s : (String[]) data) {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                out.writeBytes(length.putInt(0, utf8.length).array());
                out.writeBytes(utf8);
            }
            return out.toByteArray();
        }
        ByteBuffer bytes = ByteBuffer.allocate(n * t.type().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.type()) {
            case BOOL -> {
                for (boolean b : (boolean[]) data) {
                    bytes.put((byte) (b ? 1 : 0));
                }
            }
            case UINT8, INT8 -> bytes.put((byte[]) data);
            case UINT16, INT16, FP16, BF16 -> bytes.asShortBuffer().put((short[]) data);
            case UINT32, INT32 -> bytes.asIntBuffer().put((int[]) data);
            case UINT64, INT64 -> bytes.asLongBuffer().put((long[]) data);
            case FP32 -> bytes.asFloatBuffer().put((float[]) data);
            case FP64 -> bytes.asDoubleBuffer().put((double[]) data);
            default -> throw new IllegalStateException(t.type().name());
        }
        return bytes.array();
    }
}
