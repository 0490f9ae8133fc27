package io.quiver.server.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request body read by {@link RequestBodies}: in pooled direct memory, which ONNX Runtime reads
 * binary tensor data from where it lies, so it must be released once the request's model run is
 * over, and is never to be read after that. Releasing twice is harmless.
 */
public final class RequestBody {
    private final ByteBuf pooled;
    private final ByteBuffer bytes;
    private final AtomicBoolean released = new AtomicBoolean();

    private RequestBody(ByteBuf pooled, ByteBuffer bytes) {
        this.pooled = pooled;
        this.bytes = bytes;
    }

    /** {@code length} bytes of {@code pooled} from {@code start}; released with this body. */
    static RequestBody pooled(ByteBuf pooled, int start, int length) {
        return new RequestBody(pooled, pooled.nioBuffer(start, length).slice());
    }

    /** A body the HTTP layer already holds on the heap: nothing to release. */
    static RequestBody onHeap(byte[] bytes) {
        return new RequestBody(null, ByteBuffer.wrap(bytes));
    }

    /** The body, position 0 to its length; a view of its own for each call. */
    public ByteBuffer bytes() {
        return bytes.duplicate();
    }

    public int length() {
        return bytes.limit();
    }

    /** Bytes {@code from} to {@code to} copied to the heap, as a JSON parser takes them. */
    public byte[] copy(int from, int to) {
        byte[] out = new byte[to - from];
        bytes.get(from, out);
        return out;
    }

    /** Gives the memory back to the pool; the body and every tensor over it are not to be read after this. */
    public void release() {
        if (pooled != null && released.compareAndSet(false, true)) {
            RequestBodies.free(pooled);
        }
    }
}
