package io.quiver.common.error;

import java.util.Map;

/** 401: the request carries no credentials, or ones the server does not know. */
public class UnauthorizedException extends ApiException {
    private final String challenge;

    /** @param challenge the WWW-Authenticate value that says which credentials to send */
    public UnauthorizedException(String message, String challenge) {
        super(401, message);
        this.challenge = challenge;
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("WWW-Authenticate", challenge);
    }
}
