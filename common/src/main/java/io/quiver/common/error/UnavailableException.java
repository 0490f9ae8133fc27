package io.quiver.common.error;

import java.util.Map;

/** 503: the server is healthy but cannot take this request now; the client should retry later. */
public class UnavailableException extends ApiException {
    private final int retryAfterSeconds;

    public UnavailableException(String message, int retryAfterSeconds) {
        super(503, message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("Retry-After", Integer.toString(retryAfterSeconds));
    }
}
