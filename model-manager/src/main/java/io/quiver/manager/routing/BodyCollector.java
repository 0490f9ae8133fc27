package io.quiver.manager.routing;

import io.vertx.core.buffer.Buffer;

/**
 * A request body as it arrives, for the forwarding routes: most fit one chunk, which is kept as it
 * is rather than copied.
 */
final class BodyCollector {
    private Buffer first;
    private Buffer joined;
    private long length;
    private boolean failed;

    void add(Buffer chunk) {
        length += chunk.length();
        if (first == null) {
            first = chunk;
        } else {
            if (joined == null) {
                joined = Buffer.buffer((int) Math.min(Integer.MAX_VALUE, length)).appendBuffer(first);
            }
            joined.appendBuffer(chunk);
        }
    }

    /** Bytes taken so far. */
    long length() {
        return length;
    }

    /** The body cannot be used: the connection failed, or the route refused it part way. */
    void failed() {
        failed = true;
    }

    boolean hasFailed() {
        return failed;
    }

    Buffer body() {
        return joined != null ? joined : first != null ? first : Buffer.buffer();
    }
}
