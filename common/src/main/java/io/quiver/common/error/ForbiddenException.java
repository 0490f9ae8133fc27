package io.quiver.common.error;

/** 403: the request names a place (path, link) outside what the server may read. */
public class ForbiddenException extends ApiException {
    public ForbiddenException(String message) {
        super(403, message);
    }
}
