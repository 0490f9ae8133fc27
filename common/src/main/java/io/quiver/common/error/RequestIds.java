package io.quiver.common.error;

import io.vertx.core.http.HttpServerRequest;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Every request carries an id: the client's {@code X-Request-Id} when it sends a sane one, else a
 * new one. It is written back into the request's headers so that every layer reads it the same way,
 * and echoed on the response.
 */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    private static final int MAX_LENGTH = 128;

    private RequestIds() {
    }

    public static String assign(HttpServerRequest request) {
        String given = request.getHeader(HEADER);
        String id = orNew(given);
        if (!id.equals(given)) {
            request.headers().set(HEADER, id);
        }
        request.response().putHeader(HEADER, id);
        return id;
    }

    /** The client's id when it is sane (printable ASCII, at most 128 characters), else a new one. */
    public static String orNew(String id) {
        return id == null || id.isEmpty() || id.length() > MAX_LENGTH || !printable(id) ? newId() : id;
    }

    public static String of(HttpServerRequest request) {
        String id = request == null ? null : request.getHeader(HEADER);
        return id == null ? "unknown" : id;
    }

    /**
     * A random version-4 UUID from a thread-local generator: an id must be unique, not unguessable,
     * and {@code UUID.randomUUID()} takes a lock on the secure generator on every request.
     */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private static boolean printable(String id) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
