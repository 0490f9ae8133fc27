package io.quiver.server.training;

import io.quiver.common.error.ApiException;

/** 409: the request contradicts the resource's state, such as cancelling a job that has finished. */
public class ConflictException extends ApiException {
    public ConflictException(String message) {
        super(409, message);
    }
}
