package io.quiver.server.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Direct memory that an inference thread builds its input tensors in, kept by the thread and
 * reused run after run.
 *
 * <p>Given a heap array, ONNX Runtime's Java API copies it into a new direct buffer for every
 * tensor. Direct buffers are freed only when a garbage collection finds them unreachable, so under
 * load they pile up until {@code -XX:MaxDirectMemorySize} (the heap's maximum unless set) is
 * reached, and then the JDK runs a full collection and waits for it before it allocates again: an
 * image-sized input (0.6 MB) hit that every 160 requests with the small heap of
 * {@code deploy/jvm.options}, and the resident memory grew by the whole limit. A thread runs one
 * model run at a time, so one buffer per thread serves all its runs; a run's inputs are carved out
 * of it, each at a 64-byte address as ONNX Runtime's own allocator places tensors.
 */
final class InputStaging {
    private static final int ALIGNMENT = 64;
    private static final ThreadLocal<InputStaging> PER_THREAD = ThreadLocal.withInitial(InputStaging::new);

    /**
     * A run needing more than this gets buffers of its own rather than growing the one kept:
     * {@code quiver.onnx.reused-input-memory}, set at start-up.
     */
    static volatile long retainedLimit = 8L << 20;

    private ByteBuffer kept = ByteBuffer.allocateDirect(0);
    private ByteBuffer run = kept;
    private int used;

    private InputStaging() {
    }

    /** This thread's staging, emptied for a run whose inputs take {@code bytes} in all (alignment excluded). */
    static InputStaging forRun(long bytes) {
        InputStaging staging = PER_THREAD.get();
        staging.begin(bytes);
        return staging;
    }

    private void begin(long bytes) {
        long needed = bytes + (long) ALIGNMENT * 8;
        if (needed > kept.capacity()) {
            if (needed <= retainedLimit) {
                // Grown to what the run needs, with room for a somewhat larger one, never beyond the limit.
                kept = ByteBuffer.allocateDirect((int) Math.min(retainedLimit, Math.max(needed, needed * 5 / 4)));
                run = kept;
            } else {
                run = ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE, needed));
            }
        } else {
            run = kept;
        }
        used = 0;
    }

    /**
     * {@code bytes} of direct memory in the machine's byte order, position 0, for one input. Beyond
     * what {@link #forRun} reserved (inputs of more than eight were counted short of alignment),
     * a buffer of its own.
     */
    ByteBuffer take(int bytes) {
        int misaligned = run.alignmentOffset(used, ALIGNMENT);
        int start = misaligned == 0 ? used : used + ALIGNMENT - misaligned;
        if ((long) start + bytes > run.capacity()) {
            return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        used = start + bytes;
        return run.slice(start, bytes).order(ByteOrder.nativeOrder());
    }

    /** Bytes this thread keeps between runs. */
    static int retainedByThisThread() {
        return PER_THREAD.get().kept.capacity();
    }
}
