package io.quiver.manager.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.manager.testing.TempDataDir;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A body sent in chunks declares no length, so the request gate cannot refuse it up front: it reads
 * it up to the limit (16 MiB by default) and answers 413 with the JSON error once it passes it,
 * before the forwarding route sees it.
 */
@QuarkusTest
@WithTestResource(TempDataDir.class)
class ForwardingRoutesLimitTest {
    @TestHTTPResource("/predict")
    URI predict;

    @Test
    void aChunkedBodyOverTheLimitIsRefusedWithTheJsonError() throws Exception {
        byte[] head = "{\"model_type\": \"regression\", \"data\": \"".getBytes(StandardCharsets.US_ASCII);
        InputStream filler = new InputStream() {
            private long left = 17L * 1024 * 1024;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(length, left);
                java.util.Arrays.fill(buffer, offset, offset + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
        HttpRequest request = HttpRequest.newBuilder(predict)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new SequenceInputStream(new ByteArrayInputStream(head), filler)))
                .build();
        HttpResponse<String> answer;
        try {
            answer = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            // The manager may close the connection while the rest of the body is still being sent;
            // then the client never reads the answer. That is a refusal too, but say so plainly.
            throw new AssertionError("the connection closed before the 413 could be read: " + e, e);
        }
        assertEquals(413, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("\"error\"") && answer.body().contains("over the limit of 16777216 bytes"), answer.body());
    }
}
