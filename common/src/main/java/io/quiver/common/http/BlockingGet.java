package io.quiver.common.http;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.impl.HttpClientInternal;
import io.vertx.core.impl.ContextInternal;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A GET over a Vert.x client that a worker thread waits for: the manager's control-plane reads
 * (a pod's model list, an MLflow registry) made with the client stack it forwards with.
 */
public final class BlockingGet {
    private BlockingGet() {
    }

    /** What came back: the status and the whole body. */
    public record Answer(int status, byte[] body) {
    }

    /**
     * Sends {@code options} as a GET and waits for the whole answer. The request's own timeout does
     * not cover connecting, so the wait is bounded at twice {@code timeout}; a failure or that
     * bound is an {@link IOException} saying what happened.
     */
    public static Answer send(HttpClient client, RequestOptions options, Duration timeout)
            throws IOException, InterruptedException {
        options.setMethod(HttpMethod.GET).setTimeout(timeout.toMillis());
        // Sent from an event-loop context of its own, never the caller's: from a worker thread the
        // client would hand the response to the worker pool, and Vert.x 4.5 drops the body's bytes
        // that arrive before a handler is set there (the answer came back 200 with an empty body).
        // On an event loop the body handler is set in the same task that receives the response.
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        ContextInternal loop = ((HttpClientInternal) client).vertx().createEventLoopContext();
        loop.runOnContext(ignored -> client.request(options)
                .compose(request -> request.send())
                .compose(response -> response.body().map(body -> new Answer(response.statusCode(), body.getBytes())))
                .onComplete(result -> {
                    if (result.succeeded()) {
                        answer.complete(result.result());
                    } else {
                        answer.completeExceptionally(result.cause());
                    }
                }));
        try {
            return answer.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("no answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IOException(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage(), cause);
        }
    }
}
