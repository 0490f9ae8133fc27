package io.quiver.server.payloadlog;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

/**
 * A collector that never answers: a socket on a free loopback port that the kernel accepts
 * connections for (its backlog) but nothing ever reads from or answers, so each POST waits out the
 * sink's whole timeout, a minute. The server logs every request's payload to it but
 * fraud_classifier's, with buffers of four records and batches of two, and to a file.
 */
public class SilentCollector extends LoggingServer {
    static final int BUFFER = 4;
    static final int BATCH = 2;

    private ServerSocket socket;

    @Override
    Map<String, String> settings() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        return Map.of(
                "quiver.payload-log.sample-rate", "1",
                "quiver.payload-log.sample-rates.fraud_classifier", "0",
                "quiver.payload-log.buffer-capacity", String.valueOf(BUFFER),
                "quiver.payload-log.http.url", "http://127.0.0.1:" + socket.getLocalPort() + "/events",
                "quiver.payload-log.http.batch-size", String.valueOf(BATCH),
                "quiver.payload-log.http.flush-interval", "10ms",
                "quiver.payload-log.http.timeout", "60s");
    }

    @Override
    void close() throws IOException {
        socket.close();
    }
}
