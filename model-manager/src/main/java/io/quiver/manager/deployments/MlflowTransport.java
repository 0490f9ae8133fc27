package io.quiver.manager.deployments;

import io.quiver.common.http.BlockingGet;
import io.quiver.common.mlflow.MlflowClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

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
        RequestOptions options = new RequestOptions().setAbsoluteURI(uri.toString()).putHeader("Accept", "application/json");
        headers.forEach(options::putHeader);
        BlockingGet.Answer answer = BlockingGet.send(client, options, timeout);
        return new MlflowClient.Answer(answer.status(), answer.body());
    }

    @Override
    public void close() {
        client.close();
    }
}
