package io.quiver.common.error;

/** 400: the request is malformed or does not fit the model it names. */
public class BadRequestException extends ApiException {
    public BadRequestException(String message) {
        super(400, message);
    }
}
