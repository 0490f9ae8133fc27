package io.quiver.common.error;

/** 502: a remote peer (a model URL, a service the request was forwarded to) failed or answered badly. */
public class BadGatewayException extends ApiException {
    public BadGatewayException(String message) {
        super(502, message);
    }
}
