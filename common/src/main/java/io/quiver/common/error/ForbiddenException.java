package io.quiver.common.error;

/** 403: the request names a place (path, link, host) outside what the server may reach, or credentials may not do it. */
public class ForbiddenException extends ApiException {
    public ForbiddenException(String message) {
        super(403, message);
    }
}
