package io.quiver.common.error;

import java.util.Map;

/**
 * A failure whose HTTP meaning is known where it is raised. Rendered once, by {@link ErrorMapper},
 * into the one error shape: {@code {"error": "...", "request_id": "..."}}.
 */
public abstract class ApiException extends RuntimeException {
    private final int status;

    protected ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** Headers the client needs to act on the error, such as Retry-After. */
    public Map<String, String> headers() {
        return Map.of();
    }
}
