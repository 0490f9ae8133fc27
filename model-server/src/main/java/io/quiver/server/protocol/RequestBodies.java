package io.quiver.server.protocol;

import io.netty.buffer.ByteBuf;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.PayloadTooLargeException;
import io.quiver.common.error.UnavailableException;
import io.quiver.server.config.ServerConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Request bodies read straight from the connection into direct memory, once.
 *
 * <p>For endpoints whose bodies are large (an image is 0.6 MB as binary tensor data). The REST
 * layer's own reading copies a body three times on the heap before a resource sees it; a heap
 * array of the body's length is one more copy into the direct memory ONNX Runtime reads, and at
 * a few hundred requests a second those arrays alone made a young collection every eight requests.
 * Here the bytes go into direct memory that is kept and reused ({@link BodyMemory}), placed so
 * that the binary tensor data after a JSON header of known length starts on a 64-byte address, as
 * ONNX Runtime's allocator places tensors: an input read from there runs in place, with no copy
 * at all. The memory is given back as soon as the request's run is over
 * ({@link RequestBody#release}), whatever the outcome.
 */
@ApplicationScoped
public class RequestBodies {
    private static final int UNKNOWN_LENGTH_START = 16 * 1024;
    /**
     * The most allocated for a body before its bytes arrive: a Content-Length alone, which any
     * client can send and then stall, must not reserve the whole limit.
     */
    private static final int MOST_RESERVED = 1 << 20;
    private static final int ALIGNMENT = 64;

    private final BodyMemory memory;
    private final long limit;

    RequestBodies(ServerConfig config) {
        this.memory = new BodyMemory(config.limits().reusedBodyMemory().asLongValue());
        this.limit = config.limits().maxRequestSize().asLongValue();
    }

    /**
     * The whole body; 413 beyond {@code quiver.limits.max-request-size}, said before reading when
     * Content-Length says so.
     *
     * @param alignedAt the offset in the body whose byte should lie on a 64-byte address: where
     *                  the binary tensor data starts (0 for a body of JSON only)
     */
    public CompletionStage<RequestBody> read(RoutingContext routing, int alignedAt) {
        Buffer already = routing.body().buffer();
        if (already != null) {
            // Read already by the HTTP layer, as it reads bodies that come in chunks to hold them to its limit.
            return CompletableFuture.completedFuture(RequestBody.onHeap(already.getBytes()));
        }
        HttpServerRequest request = routing.request();
        long declared = declaredLength(request.getHeader(HttpHeaders.CONTENT_LENGTH));
        if (declared > limit) {
            return CompletableFuture.failedFuture(tooLarge());
        }
        if (request.isEnded()) {
            return CompletableFuture.completedFuture(RequestBody.onHeap(new byte[0]));
        }
        Accumulator accumulator;
        try {
            accumulator = new Accumulator(declared >= 0 ? (int) Math.min(declared, MOST_RESERVED) : UNKNOWN_LENGTH_START,
                    Math.max(0, alignedAt));
        } catch (UnavailableException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<RequestBody> body = new CompletableFuture<>();
        request.handler(chunk -> {
            if (body.isDone()) {
                return;
            }
            try {
                if (!accumulator.append(chunk.getByteBuf())) {
                    body.completeExceptionally(tooLarge());
                }
            } catch (UnavailableException e) {
                accumulator.discard();
                body.completeExceptionally(e);
            }
        });
        request.exceptionHandler(failure -> {
            accumulator.discard();
            body.completeExceptionally(failure);
        });
        request.endHandler(ignored -> {
            if (!body.isDone()) {
                body.complete(accumulator.body());
            }
        });
        if (request.version() == HttpVersion.HTTP_1_1 && "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            // curl asks before sending a body over 1 MB, and waits a second for this answer if none comes.
            routing.response().writeContinue();
        }
        request.resume();
        return body;
    }

    /** Bytes of direct memory that request bodies hold now: each is given back once its request's run is over. */
    public long bytesInUse() {
        return memory.inUse();
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

    private PayloadTooLargeException tooLarge() {
        return new PayloadTooLargeException("the request body is over the " + limit + "-byte limit "
                + "(quiver.limits.max-request-size)");
    }

    /** Chunks copied into one buffer, grown only past what was reserved. */
    private final class Accumulator {
        private final int alignedAt;
        private ByteBuffer buffer;
        private int start;
        private int size;

        Accumulator(int capacity, int alignedAt) {
            this.alignedAt = alignedAt;
            grow(capacity);
        }

        /** False once the body is over the limit; the memory is then given back and what comes after dropped. */
        boolean append(ByteBuf chunk) {
            int length = chunk.readableBytes();
            if (buffer == null) {
                return false;
            }
            if ((long) size + length > limit) {
                discard();
                return false;
            }
            if (start + size + length > buffer.capacity()) {
                grow((int) Math.min(limit, Math.max((long) size + length, (buffer.capacity() - start) * 2L)));
            }
            chunk.getBytes(chunk.readerIndex(), buffer.limit(start + size + length).position(start + size));
            size += length;
            return true;
        }

        /** A new buffer holding {@code capacity} bytes after the padding that aligns the body, and what was read. */
        private void grow(int capacity) {
            ByteBuffer next = memory.take(capacity + ALIGNMENT - 1);
            int misaligned = next.alignmentOffset(alignedAt, ALIGNMENT);
            int padding = misaligned == 0 ? 0 : ALIGNMENT - misaligned;
            if (buffer != null) {
                next.put(padding, buffer, start, size);
                memory.giveBack(buffer);
            }
            buffer = next;
            start = padding;
        }

        RequestBody body() {
            RequestBody body = RequestBody.in(memory, buffer, start, size);
            buffer = null;
            return body;
        }

        void discard() {
            if (buffer != null) {
                memory.giveBack(buffer);
                buffer = null;
            }
        }
    }
}
