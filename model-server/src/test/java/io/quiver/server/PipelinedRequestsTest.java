package io.quiver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExampleRepository;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A client that pipelines HTTP/1.1 requests (sends them all, then reads) gets every answer, in the
 * order it asked. The services hand pipelined requests to Vert.x one at a time and stop reading
 * while they wait (io.quiver.common.http.PipelineValve); this is what that must not break, for
 * requests with and without a body, answered on a worker thread or at once.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class PipelinedRequestsTest {
    /** More than one read of the server takes at a time, so that it stops reading and goes on again. */
    private static final int REQUESTS = 400;

    @TestHTTPResource("/")
    URL server;

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        ByteArrayOutputStream requests = new ByteArrayOutputStream();
        for (int i = 0; i < REQUESTS; i++) {
            requests.writeBytes(request(i).getBytes(StandardCharsets.UTF_8));
        }
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            // Written from a thread of its own, as the answers are read: the server stops reading while
            // answers wait, so writing everything before reading would stall on full socket buffers.
            Thread writer = new Thread(() -> {
                try {
                    out.write(requests.toByteArray());
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "pipelining-writer");
            writer.start();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < REQUESTS; i++) {
                Answer answer = Answer.read(in);
                if (i % 2 == 0) {
                    assertEquals(200, answer.status(), "answer " + i + ": " + answer.body());
                    assertTrue(answer.body().contains("\"id\":\"pipelined-" + i + "\""), "answer " + i + ": " + answer.body());
                } else {
                    assertEquals(404, answer.status(), "answer " + i + ": " + answer.body());
                    assertTrue(answer.body().contains("missing-" + i), "answer " + i + ": " + answer.body());
                }
            }
            writer.join(30_000);
        }
    }

    /** Even: an inference with a body and an id the answer repeats; odd: a model that is not there. */
    private static String request(int i) {
        if (i % 2 == 1) {
            return "GET /v2/models/missing-" + i + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
        }
        String body = "{\"id\": \"pipelined-" + i + "\", \"inputs\": [{\"name\": \"features\", \"shape\": [1, 3],"
                + " \"datatype\": \"FP32\", \"data\": [1200.0, 3.0, " + i + ".0]}]}";
        return "POST /v2/models/house_price/infer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /** One HTTP/1.1 answer, its body sized by Content-Length or sent in chunks. */
    private record Answer(int status, String body) {
        static Answer read(InputStream in) throws IOException {
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            long length = -1;
            boolean chunked = false;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring("content-length:".length()).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (chunked) {
                for (int size = Integer.parseInt(line(in).trim(), 16); size > 0; size = Integer.parseInt(line(in).trim(), 16)) {
                    body.writeBytes(in.readNBytes(size));
                    line(in);
                }
                line(in);
            } else if (length > 0) {
                body.writeBytes(in.readNBytes((int) length));
            }
            return new Answer(status, body.toString(StandardCharsets.UTF_8));
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("the connection ended within an answer, after: " + line);
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }
}
