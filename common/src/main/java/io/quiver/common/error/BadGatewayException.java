package io.quiver.common.error;

/** 502: a remote source the request named (a model URL) failed or answered badly. */
public class BadGatewayException extends ApiException {
    public BadGatewayException(String message) {
        super(502, message);
    }
}
