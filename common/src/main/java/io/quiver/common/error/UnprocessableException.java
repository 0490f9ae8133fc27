package io.quiver.common.error;

/**
 * 422: the request was well formed and ran, but what it asks for cannot be given in the form asked
 * (a model's answer to these inputs that the protocol cannot carry).
 */
public class UnprocessableException extends ApiException {
    public UnprocessableException(String message) {
        super(422, message);
    }
}
