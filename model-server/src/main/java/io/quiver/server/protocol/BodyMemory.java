package io.quiver.server.protocol;

import io.netty.util.internal.PlatformDependent;
import io.quiver.common.error.UnavailableException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct memory for request bodies, handed out in power-of-two sizes from 64 KiB and kept after
 * use, up to a limit, for the next body of its size.
 *
 * <p>Direct memory that is simply dropped is freed only when a garbage collection finds it, and
 * allocating it again zeroes it: at a few hundred image-sized requests a second, either is a good
 * share of a request's cost. Netty's pooled allocator was tried first: it frees a chunk whenever a
 * body that filled much of it is released, and so zeroed a fresh chunk for nearly every request.
 * Memory beyond the limit is freed at once when it is given back, never left to a collection.
 */
final class BodyMemory {
    private static final int SMALLEST_SHIFT = 16;
    private static final int LARGEST_SHIFT = 30;

    private final long keptAtMost;
    private final ConcurrentLinkedDeque<ByteBuffer>[] kept;
    private final AtomicLong keptBytes = new AtomicLong();
    private final AtomicLong inUse = new AtomicLong();

    @SuppressWarnings("unchecked")
    BodyMemory(long keptAtMost) {
        this.keptAtMost = keptAtMost;
        this.kept = new ConcurrentLinkedDeque[LARGEST_SHIFT - SMALLEST_SHIFT + 1];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = new ConcurrentLinkedDeque<>();
        }
    }

    /** At least {@code bytes} of direct memory, position 0 and limit its capacity; 503 when there is none to be had. */
    ByteBuffer take(int bytes) {
        int sizeClass = sizeClass(bytes);
        ByteBuffer buffer = kept[sizeClass].pollFirst();
        if (buffer != null) {
            keptBytes.addAndGet(-buffer.capacity());
        } else {
            int capacity = 1 << (sizeClass + SMALLEST_SHIFT);
            try {
                buffer = ByteBuffer.allocateDirect(capacity);
            } catch (OutOfMemoryError e) {
                // Direct memory, not the heap: nothing else is harmed, and the client may try again.
                throw new UnavailableException("no memory for a " + bytes + "-byte request body now ("
                        + e.getMessage() + "); retry", 1);
            }
        }
        inUse.addAndGet(buffer.capacity());
        return buffer.clear();
    }

    /** Takes back a buffer from {@link #take}, which its taker must not touch again. */
    void giveBack(ByteBuffer buffer) {
        int capacity = buffer.capacity();
        inUse.addAndGet(-capacity);
        if (keptBytes.addAndGet(capacity) <= keptAtMost) {
            kept[sizeClass(capacity)].offerFirst(buffer);
        } else {
            keptBytes.addAndGet(-capacity);
            PlatformDependent.freeDirectBuffer(buffer);
        }
    }

    /** Bytes taken and not yet given back. */
    long inUse() {
        return inUse.get();
    }

    private static int sizeClass(int bytes) {
        int shift = Math.max(SMALLEST_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, bytes) - 1));
        if (shift > LARGEST_SHIFT) {
            throw new IllegalArgumentException("a request body of " + bytes + " bytes is beyond any limit");
        }
        return shift - SMALLEST_SHIFT;
    }
}
