package io.quiver.common.error;

/** 501: a well-formed request for something this service does not do (gRPC's UNIMPLEMENTED). */
public class NotImplementedException extends ApiException {
    public NotImplementedException(String message) {
        super(501, message);
    }
}
