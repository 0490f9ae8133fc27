package io.quiver.manager.routing;

import jakarta.ws.rs.core.Response;

/** A routed answer as the client gets it: the service's status, type and bytes, and who answered. */
public final class Answers {
    static final String SERVED_BY = "X-Served-By";

    private Answers() {
    }

    public static Response of(Routed routed) {
        return builder(routed).build();
    }

    /** The answer as {@link #of} gives it, still open to changes such as a rewritten body. */
    public static Response.ResponseBuilder builder(Routed routed) {
        Upstream answer = routed.answer();
        Response.ResponseBuilder response = Response.status(answer.status())
                .entity(answer.body())
                .header(SERVED_BY, routed.servedBy());
        if (answer.contentType() != null) {
            response.type(answer.contentType());
        }
        if (answer.retryAfter() != null) {
            response.header("Retry-After", answer.retryAfter());
        }
        return response;
    }
}
