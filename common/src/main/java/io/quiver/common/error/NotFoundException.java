package io.quiver.common.error;

/** 404: no model, version or job by that name. */
public class NotFoundException extends ApiException {
    public NotFoundException(String message) {
        super(404, message);
    }
}
