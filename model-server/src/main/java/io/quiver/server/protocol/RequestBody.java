package io.quiver.server.protocol;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request body read by {@link RequestBodies}: in direct memory, which ONNX Runtime reads binary
 * tensor data from where it lies, so it must be released once the request's model run is over,
 * and is never to be read after that. Releasing twice is harmless.
 */
public final class RequestBody {
    private final BodyMemory owner;
    private final ByteBuffer memory;
    private final ByteBuffer bytes;
    private final AtomicBoolean released = new AtomicBoolean();

    private RequestBody(BodyMemory owner, ByteBuffer memory, ByteBuffer bytes) {
        this.owner = owner;
        this.memory = memory;
        this.bytes = bytes;
    }

    /** {@code length} bytes of {@code memory} from {@code start}; {@code memory} goes back to {@code owner} on release. */
    static RequestBody in(BodyMemory owner, ByteBuffer memory, int start, int length) {
        return new RequestBody(owner, memory, memory.slice(start, length));
    }

    /** A body the HTTP layer already holds on the heap: nothing to release. */
    static RequestBody onHeap(byte[] bytes) {
        return new RequestBody(null, null, ByteBuffer.wrap(bytes));
    }

    /** The body, position 0 to its length; a view of its own for each call. */
    public ByteBuffer bytes() {
        return bytes.duplicate();
    }

    /** Gives the memory back; the body and every tensor over it are not to be read after this. */
    public void release() {
        if (owner != null && released.compareAndSet(false, true)) {
            owner.giveBack(memory);
        }
    }
}
