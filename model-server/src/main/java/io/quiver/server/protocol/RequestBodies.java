package io.quiver.server.protocol;

import io.netty.buffer.ByteBuf;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.PayloadTooLargeException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A request body read straight from the connection into one array of its declared length.
 *
 * <p>For endpoints whose bodies are large (an image is 0.6 MB as binary tensor data): the REST
 * layer's own reading copies a body three times on the heap before a resource sees it (each chunk
 * to an array, the chunks into one array, that array into another), and at a few hundred requests
 * a second those copies and the garbage they leave were a third of a request's CPU time.
 */
public final class RequestBodies {
    private static final int UNKNOWN_LENGTH_START = 16 * 1024;
    /**
     * The most allocated for a body before its bytes arrive: a Content-Length alone, which any
     * client can send and then stall, must not reserve the whole limit.
     */
    private static final int MOST_RESERVED = 1 << 20;

    private RequestBodies() {
    }

    /** The whole body; 413 beyond {@code limit} bytes, said before reading when Content-Length says so. */
    public static CompletionStage<byte[]> read(RoutingContext routing, long limit) {
        Buffer already = routing.body().buffer();
        if (already != null) {
            // Read already by the HTTP layer, as it reads bodies that come in chunks to hold them to its limit.
            return CompletableFuture.completedFuture(already.getBytes());
        }
        HttpServerRequest request = routing.request();
        long declared = declaredLength(request.getHeader(HttpHeaders.CONTENT_LENGTH));
        if (declared > limit) {
            return CompletableFuture.failedFuture(tooLarge(limit));
        }
        if (request.isEnded()) {
            return CompletableFuture.completedFuture(new byte[0]);
        }
        CompletableFuture<byte[]> body = new CompletableFuture<>();
        Accumulator accumulator = new Accumulator(declared >= 0 ? (int) Math.min(declared, MOST_RESERVED) : UNKNOWN_LENGTH_START, limit);
        request.handler(chunk -> {
            if (!body.isDone() && !accumulator.append(chunk.getByteBuf())) {
                body.completeExceptionally(tooLarge(limit));
            }
        });
        request.exceptionHandler(body::completeExceptionally);
        request.endHandler(ignored -> body.complete(accumulator.bytes()));
        if (request.version() == HttpVersion.HTTP_1_1 && "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            // curl asks before sending a body over 1 MB, and waits a second for this answer if none comes.
            routing.response().writeContinue();
        }
        request.resume();
        return body;
    }

    private static long declaredLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            long length = Long.parseLong(header.trim());
            if (length >= 0) {
                return length;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequestException("Content-Length must be a non-negative integer, got '" + header + "'");
    }

    private static PayloadTooLargeException tooLarge(long limit) {
        return new PayloadTooLargeException("the request body is over the " + limit + "-byte limit "
                + "(quiver.limits.max-request-size)");
    }

    /** Chunks copied into one array, grown only past what was reserved. */
    private static final class Accumulator {
        private final long limit;
        private byte[] bytes;
        private int size;

        Accumulator(int capacity, long limit) {
            this.bytes = new byte[capacity];
            this.limit = limit;
        }

        /** False once the body is over the limit; what comes after is dropped. */
        boolean append(ByteBuf chunk) {
            int length = chunk.readableBytes();
            if ((long) size + length > limit) {
                bytes = null;
                return false;
            }
            if (bytes == null) {
                return false;
            }
            if (size + length > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max((long) size + length, bytes.length * 2L)));
            }
            chunk.getBytes(chunk.readerIndex(), bytes, size, length);
            size += length;
            return true;
        }

        byte[] bytes() {
            return bytes == null || size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
        }
    }
}
