package io.quiver.server.payloadlog;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs records in batches to a collector as CloudEvents' batched mode, a JSON array of events
 * ({@code application/cloudevents-batch+json}), with the JDK client the model-server makes every
 * outgoing call with. One POST at a time: a collector that is down or slow holds up only this
 * thread, whose buffer then drops and counts.
 */
final class HttpSink extends Sink {
    static final String CONTENT_TYPE = "application/cloudevents-batch+json";

    private final URI url;
    private final PayloadLogConfig.Http settings;
    private HttpClient http;

    HttpSink(PayloadLogConfig.Http settings, URI url, int capacity, MeterRegistry meters) {
        super("http", capacity, settings.batchSize(), settings.flushInterval(), meters);
        this.url = url;
        this.settings = settings;
    }

    @Override
    String target() {
        return url.toString();
    }

    @Override
    protected void write(List<byte[]> batch) throws IOException, InterruptedException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write('[');
        for (int i = 0; i < batch.size(); i++) {
            if (i > 0) {
                body.write(',');
            }
            body.writeBytes(batch.get(i));
        }
        body.write(']');
        HttpRequest request = HttpRequest.newBuilder(url).timeout(settings.timeout())
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        CompletableFuture<HttpResponse<Void>> call = client().sendAsync(request, HttpResponse.BodyHandlers.discarding());
        HttpResponse<Void> response;
        try {
            // A hard bound: the request timeout does not cover every phase of a call.
            response = call.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new HttpTimeoutException("no answer from " + url + " within " + settings.timeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            call.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            throw new IOException("POST to " + url + " failed: " + e.getCause(), e.getCause());
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException("POST to " + url + " answered HTTP " + response.statusCode());
        }
    }

    /** Built on this sink's thread at its first batch, not at start: building sets up the JDK's TLS defaults. */
    private HttpClient client() {
        if (http == null) {
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(settings.timeout()).build();
        }
        return http;
    }
}
