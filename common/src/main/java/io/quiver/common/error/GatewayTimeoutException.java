package io.quiver.common.error;

/** 504: a service the request was forwarded to did not answer in time. */
public class GatewayTimeoutException extends ApiException {
    public GatewayTimeoutException(String message) {
        super(504, message);
    }
}
