package io.quiver.manager.deployments;

import io.quiver.common.mlflow.MlflowClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The MLflow registry's GETs over Vert.x, the client the manager forwards and checks health with.
 * Callers are worker threads (the deployment API is blocking), so each call waits for its answer.
 */
final class MlflowTransport implements MlflowClient.Transport, AutoCloseable {
    private final HttpClient client;
    private final Duration timeout;

    MlflowTransport(Vertx vertx, Duration timeout) {
        this.timeout = timeout;
        // A connection per call: registry calls are a few per deploy, and a pooled connection the
        // tracking server closed while idle (a restart, an idle timeout) would fail the next call.
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) timeout.toMillis()).setKeepAlive(false));
    }

    @Override
    public MlflowClient.Answer get(URI uri, Map<String, String> headers) throws IOException, InterruptedException {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(uri.toString())
                .putHeader("Accept", "application/json").setTimeout(timeout.toMillis());
        headers.forEach(options::putHeader);
        try {
            return client.request(options)
                    .compose(request -> request.send())
                    .compose(response -> response.body().map(body -> new MlflowClient.Answer(response.statusCode(),
                            body.getBytes())))
                    .toCompletionStage().toCompletableFuture()
                    // The request's own timeout does not cover connecting; this bounds the whole call.
                    .get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("no answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IOException(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage(), cause);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
