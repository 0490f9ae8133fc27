package io.quiver.common.error;

/** 413: a body or download over its configured limit. */
public class PayloadTooLargeException extends ApiException {
    public PayloadTooLargeException(String message) {
        super(413, message);
    }
}
