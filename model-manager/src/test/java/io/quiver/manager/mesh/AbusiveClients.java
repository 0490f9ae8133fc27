package io.quiver.manager.mesh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Misbehaving HTTP/1.1 clients on raw sockets, all driven by one thread: each connection does one
 * {@link Attack} until the server closes it or the test closes them all. They connect from
 * {@value #SOURCE_ADDRESS} (the whole of 127.0.0.0/8 is loopback on Linux), so that the gateway's
 * per-address limits tell them apart from the well-behaved client on 127.0.0.1, as they would tell
 * apart two hosts. A connection counts as closed by the server when a read sees the end of the
 * stream or a reset, or, for one that never reads, when a write fails.
 */
final class AbusiveClients implements AutoCloseable {
    static final String SOURCE_ADDRESS = "127.0.0.2";
    private static final Duration TICK = Duration.ofMillis(100);
    /** So that a server reading as fast as one connection writes does not hold the others' turn. */
    private static final long MAX_PIPELINED_PER_TICK = 4L << 20;
    private static final byte[] TRICKLED_LINE = "X-Slow: a\r\n".getBytes(StandardCharsets.US_ASCII);

    enum Attack {
        /** Slowloris: a request line, then one byte of header every second, never the blank line that ends the header. */
        SLOW_HEADERS,
        /** A complete header announcing a 1 MiB body, then one byte of it every second. */
        SLOW_BODY,
        /** Connects and sends nothing. */
        IDLE,
        /** Pipelines requests as fast as the server takes them and never reads an answer (a 4 KiB receive buffer). */
        NEVER_READING,
        /** A complete header with {@code Expect: 100-continue} and a Content-Length, and then no body. */
        EXPECT_WITHOUT_BODY
    }

    /**
     * Where to send: the address, the Host header, credentials ({@code null} for none) and a cheap
     * GET path for the pipelined requests.
     */
    record Target(String name, InetSocketAddress address, String host, String authorization, String getPath) {
    }

    private final Attack attack;
    private final List<Connection> connections;
    private final Selector selector;
    private final Thread driver;
    private final long openedNanos;
    private volatile boolean stopped;

    private static final class Connection {
        final SocketChannel channel;
        ByteBuffer pending;
        int trickled;
        volatile boolean answered;
        volatile long closedNanos;
        /** When the server last took bytes of this connection's (its socket accepted a write). */
        volatile long acceptedNanos;

        Connection(SocketChannel channel) {
            this.channel = channel;
            this.acceptedNanos = System.nanoTime();
        }
    }

    private AbusiveClients(Attack attack, List<Connection> connections, Selector selector, Target target) {
        this.attack = attack;
        this.connections = connections;
        this.selector = selector;
        this.openedNanos = System.nanoTime();
        byte[] pipelined = pipelined(target);
        this.driver = new Thread(() -> drive(pipelined), "abusive-clients-" + attack);
        driver.setDaemon(true);
    }

    /** Opens {@code count} connections to the target and starts the attack on each. */
    static AbusiveClients open(Attack attack, Target target, int count) throws IOException {
        Selector selector = Selector.open();
        List<Connection> connections = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open();
                if (attack == Attack.NEVER_READING) {
                    channel.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
                }
                channel.bind(new InetSocketAddress(SOURCE_ADDRESS, 0));
                channel.connect(target.address());
                channel.configureBlocking(false);
                Connection connection = new Connection(channel);
                connection.pending = ByteBuffer.wrap(opening(attack, target));
                connections.add(connection);
                if (attack != Attack.NEVER_READING) {
                    channel.register(selector, SelectionKey.OP_READ, connection);
                }
            }
        } catch (IOException e) {
            connections.forEach(c -> closeQuietly(c.channel));
            selector.close();
            throw e;
        }
        AbusiveClients clients = new AbusiveClients(attack, connections, selector, target);
        clients.driver.start();
        return clients;
    }

    private static byte[] opening(Attack attack, Target target) {
        String credentials = target.authorization() == null ? "" : "Authorization: " + target.authorization() + "\r\n";
        String text = switch (attack) {
            case SLOW_HEADERS -> "POST /predict HTTP/1.1\r\nHost: " + target.host() + "\r\n";
            case SLOW_BODY -> "POST /predict HTTP/1.1\r\nHost: " + target.host() + "\r\n" + credentials
                    + "Content-Type: application/json\r\nContent-Length: 1048576\r\n\r\n";
            case IDLE, NEVER_READING -> "";
            case EXPECT_WITHOUT_BODY -> "POST /predict HTTP/1.1\r\nHost: " + target.host() + "\r\n" + credentials
                    + "Content-Type: application/json\r\nContent-Length: 64\r\nExpect: 100-continue\r\n\r\n";
        };
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** 16 KiB of back-to-back GET requests, written over and over by the connections that never read. */
    private static byte[] pipelined(Target target) {
        String credentials = target.authorization() == null ? "" : "Authorization: " + target.authorization() + "\r\n";
        String one = "GET " + target.getPath() + " HTTP/1.1\r\nHost: " + target.host() + "\r\n" + credentials + "\r\n";
        return one.repeat(Math.max(1, 16384 / one.length())).getBytes(StandardCharsets.US_ASCII);
    }

    private void drive(byte[] pipelined) {
        ByteBuffer scratch = ByteBuffer.allocate(64 * 1024);
        long nextTrickle = System.nanoTime();
        while (!stopped) {
            try {
                selector.select(TICK.toMillis());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (SelectionKey key : selector.selectedKeys()) {
                Connection connection = (Connection) key.attachment();
                try {
                    // Answers (a 100 Continue, a 408) are read and dropped; the end of the stream is the close.
                    int read;
                    do {
                        scratch.clear();
                        read = connection.channel.read(scratch);
                        if (read > 0) {
                            connection.answered = true;
                        }
                    } while (read > 0);
                    if (read < 0) {
                        closed(connection, key);
                    }
                } catch (IOException e) {
                    closed(connection, key);
                }
            }
            selector.selectedKeys().clear();
            boolean trickle = System.nanoTime() - nextTrickle >= 0;
            if (trickle) {
                nextTrickle += TimeUnit.SECONDS.toNanos(1);
            }
            for (Connection connection : connections) {
                if (connection.closedNanos != 0) {
                    continue;
                }
                try {
                    if ((attack == Attack.SLOW_HEADERS || attack == Attack.SLOW_BODY) && trickle
                            && !connection.pending.hasRemaining()) {
                        // Header lines (or body), one byte a second: the header (or body) never ends.
                        byte next = TRICKLED_LINE[connection.trickled++ % TRICKLED_LINE.length];
                        connection.pending = ByteBuffer.wrap(new byte[] {next});
                    }
                    if (attack == Attack.NEVER_READING) {
                        pipeline(connection, pipelined);
                    } else if (connection.pending.hasRemaining()) {
                        connection.channel.write(connection.pending);
                    }
                } catch (IOException e) {
                    closed(connection, connection.channel.keyFor(selector));
                }
            }
        }
    }

    /**
     * Writes requests until the socket takes no more (or a tick's share): the kernel's buffers between
     * client and server are then full at every tick, so the socket takes bytes only when the server
     * has just read some, and {@code acceptedNanos} tells when it last did.
     */
    private static void pipeline(Connection connection, byte[] pipelined) throws IOException {
        long written = 0;
        while (written < MAX_PIPELINED_PER_TICK) {
            if (!connection.pending.hasRemaining()) {
                connection.pending = ByteBuffer.wrap(pipelined);
            }
            int n = connection.channel.write(connection.pending);
            if (n == 0) {
                return;
            }
            written += n;
            connection.acceptedNanos = System.nanoTime();
        }
    }

    private void closed(Connection connection, SelectionKey key) {
        if (connection.closedNanos == 0) {
            connection.closedNanos = System.nanoTime();
        }
        if (key != null) {
            key.cancel();
        }
        closeQuietly(connection.channel);
    }

    Attack attack() {
        return attack;
    }

    int count() {
        return connections.size();
    }

    /** Connections the server has not closed yet. */
    int stillOpen() {
        return (int) connections.stream().filter(c -> c.closedNanos == 0).count();
    }

    /** Connections the server has sent something on (an answer, a 100 Continue). */
    int answered() {
        return (int) connections.stream().filter(c -> c.answered).count();
    }

    /** How long after they were opened the server last took bytes of those it closed, shortest first. */
    List<Duration> lastReadAfter() {
        return connections.stream().filter(c -> c.closedNanos != 0)
                .map(c -> Duration.ofNanos(c.acceptedNanos - openedNanos)).sorted().toList();
    }

    /** How long after they were opened the server closed those it closed, shortest first. */
    List<Duration> closedAfter() {
        return connections.stream().filter(c -> c.closedNanos != 0)
                .map(c -> Duration.ofNanos(c.closedNanos - openedNanos)).sorted().toList();
    }

    @Override
    public void close() {
        stopped = true;
        try {
            driver.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.forEach(c -> closeQuietly(c.channel));
        closeQuietly(selector);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Already closed, or closing a socket the server reset: nothing to free.
        }
    }
}
