package io.quiver.common.error;

import io.quarkus.runtime.annotations.RegisterForReflection;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The one error shape, as the Open Inference Protocol has it, plus the request id. */
@RegisterForReflection(ignoreNested = false)
public record ErrorBody(String error, @JsonProperty("request_id") String requestId) {
}
