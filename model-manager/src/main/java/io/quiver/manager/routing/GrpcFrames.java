package io.quiver.manager.routing;

import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.NotImplementedException;
import io.quiver.common.error.PayloadTooLargeException;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * The little the manager reads of a gRPC call: the length-prefixed frame around its one message
 * (a compressed flag, a 4-byte big-endian length, the message), and the model name, which is field 1
 * of {@code ModelInferRequest}, {@code ModelMetadataRequest} and {@code ModelReadyRequest} alike.
 * Every other field is skipped by its wire type, without being decoded, so the tensors cost nothing.
 */
final class GrpcFrames {
    static final int PREFIX = 5;
    private static final int MODEL_NAME_FIELD = 1;

    private GrpcFrames() {
    }

    /** {@code message} framed, uncompressed. */
    static Buffer frame(byte[] message) {
        return Buffer.buffer(PREFIX + message.length).appendByte((byte) 0).appendInt(message.length).appendBytes(message);
    }

    /**
     * The model name in a unary call's framed message; empty when the message has none. A message
     * compressed with gzip or deflate (its {@code grpc-encoding}) is inflated, up to {@code maxBytes},
     * to find it; the call is still forwarded as it came.
     */
    static String modelName(Buffer framed, String encoding, long maxBytes, String field) {
        if (framed.length() < PREFIX) {
            throw new BadRequestException("the request holds no gRPC message: " + framed.length()
                    + " bytes, less than the 5-byte message prefix");
        }
        int flag = framed.getUnsignedByte(0);
        long length = framed.getUnsignedInt(1);
        if (length != framed.length() - PREFIX) {
            throw new BadRequestException("the gRPC message prefix gives " + length + " bytes, but "
                    + (framed.length() - PREFIX) + " followed; a unary call carries exactly one message");
        }
        byte[] message = framed.getBytes(PREFIX, framed.length());
        if (flag == 1) {
            message = inflate(message, encoding, maxBytes);
        } else if (flag != 0) {
            throw new BadRequestException("the gRPC message prefix has compressed flag " + flag + "; it must be 0 or 1");
        }
        return readName(message, field);
    }

    private static byte[] inflate(byte[] message, String encoding, long maxBytes) {
        String name = encoding == null ? "" : encoding.trim().toLowerCase(Locale.ROOT);
        try (InputStream in = switch (name) {
            case "gzip" -> new GZIPInputStream(new ByteArrayInputStream(message));
            case "deflate" -> new InflaterInputStream(new ByteArrayInputStream(message));
            default -> throw new NotImplementedException("the message is compressed with grpc-encoding '" + encoding
                    + "'; the manager reads gzip and deflate");
        }) {
            byte[] inflated = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (inflated.length > maxBytes) {
                throw new PayloadTooLargeException("the request message inflates to over the limit of " + maxBytes + " bytes");
            }
            return inflated;
        } catch (IOException e) {
            throw new BadRequestException("the compressed gRPC message cannot be inflated with " + name + ": "
                    + e.getMessage());
        }
    }

    /** Field 1 as UTF-8 text (the last one, as protobuf keeps the last of a repeated scalar), or "". */
    static String readName(byte[] message, String field) {
        String name = "";
        int at = 0;
        while (at < message.length) {
            long[] tag = varint(message, at);
            at = (int) tag[1];
            int number = (int) (tag[0] >>> 3);
            int wireType = (int) (tag[0] & 7);
            if (number == 0) {
                throw malformed("field number 0");
            }
            switch (wireType) {
                case 0 -> at = (int) varint(message, at)[1];
                case 1 -> at = skip(message, at, 8);
                case 5 -> at = skip(message, at, 4);
                case 2 -> {
                    long[] length = varint(message, at);
                    int start = (int) length[1];
                    if (length[0] > message.length - start) {
                        throw malformed("a field of " + length[0] + " bytes runs past the message's end");
                    }
                    at = start + (int) length[0];
                    if (number == MODEL_NAME_FIELD) {
                        name = utf8(message, start, (int) length[0], field);
                    }
                }
                default -> throw malformed("wire type " + wireType + " (groups are not used by this protocol)");
            }
        }
        return name;
    }

    private static String utf8(byte[] message, int start, int length, String field) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(message, start, length)).toString();
        } catch (CharacterCodingException e) {
            throw new BadRequestException(field + " is not valid UTF-8");
        }
    }

    private static int skip(byte[] message, int at, int bytes) {
        if (bytes > message.length - at) {
            throw malformed("a fixed-width field runs past the message's end");
        }
        return at + bytes;
    }

    /** A varint at {@code at}: its value and the position after it. */
    private static long[] varint(byte[] message, int at) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at >= message.length) {
                throw malformed("a varint runs past the message's end");
            }
            byte b = message[at++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return new long[] {value, at};
            }
        }
        throw malformed("a varint longer than 10 bytes");
    }

    private static BadRequestException malformed(String what) {
        return new BadRequestException("the request message is not a valid protobuf message: " + what);
    }
}
