package io.quiver.common.error;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The one error shape, as the Open Inference Protocol has it, plus the request id. */
public record ErrorBody(String error, @JsonProperty("request_id") String requestId) {
}
