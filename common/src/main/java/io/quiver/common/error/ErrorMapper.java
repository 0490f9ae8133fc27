package io.quiver.common.error;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quiver.common.json.WireErrors;
import jakarta.validation.ConstraintViolationException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Renders every failure into {@link ErrorBody}; clients never see a stack trace. */
public class ErrorMapper {
    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    @ServerExceptionMapper
    public Response api(ApiException e, HttpServerRequest request) {
        Response.ResponseBuilder response = render(e.status(), e.getMessage(), request);
        e.headers().forEach(response::header);
        return response.build();
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, HttpServerRequest request) {
        return render(400, WireErrors.describe(e), request).build();
    }

    // Jackson's extension maps these two itself, to a 400 without a body; a typed request's
    // client needs to know which field was wrong.
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, HttpServerRequest request) {
        return json(e, request);
    }

    @ServerExceptionMapper
    public Response unparsable(JsonParseException e, HttpServerRequest request) {
        return json(e, request);
    }

    /** A typed request whose fields break their constraints: 400 naming each field. */
    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e, HttpServerRequest request) {
        return render(400, WireErrors.describe(e), request).build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        String message = switch (status) {
            case 404 -> "no such endpoint: " + request.method() + " " + request.path();
            case 405 -> "method " + request.method() + " is not allowed on " + request.path();
            case 413 -> "request body is larger than the configured limit";
            case 415 -> "unsupported content type; send application/json";
            default -> e.getMessage();
        };
        Throwable cause = e.getCause();
        if (status == 400 && cause instanceof JsonProcessingException json) {
            message = WireErrors.describe(json);
        }
        return render(status, message, request).build();
    }

    @ServerExceptionMapper
    public Response completion(CompletionException e, HttpServerRequest request) {
        Throwable cause = e.getCause();
        if (cause instanceof ApiException api) {
            return api(api, request);
        }
        return unexpected(cause == null ? e : cause, request);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, HttpServerRequest request) {
        String id = RequestIds.of(request);
        LOG.errorf(e, "request %s failed", id);
        return render(500, "internal error; see the server log for request " + id, request).build();
    }

    static Response.ResponseBuilder render(int status, String message, HttpServerRequest request) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody(message, RequestIds.of(request)));
    }
}
