package io.quiver.manager.mesh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP proxy on a loopback port in front of one replica, for the faults iptables cannot make and
 * {@code tc netem} would (its queueing discipline is missing from the kernels this runs on): added
 * latency, and a peer that accepts connections and then never reads nor answers, as a half-open
 * connection or a wedged accept queue looks to the caller. The fault can change while connections
 * are open; it applies from the next chunk of bytes, or the next connection for {@link #blackHole}.
 */
public final class FaultyProxy implements AutoCloseable {
    private static final int CHUNK = 16 * 1024;

    private final URI target;
    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "faulty-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile long delayNanos;
    private volatile boolean blackHole;

    private FaultyProxy(URI target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    /** A proxy passing bytes unchanged to {@code target}'s host and port, until told otherwise. */
    public static FaultyProxy to(URI target) {
        try {
            return new FaultyProxy(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a proxy port", e);
        }
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    /**
     * Each chunk of bytes coming back from the target is held this long before it is passed on, so a
     * request answered in one chunk, as the forecasts are, takes this much longer.
     */
    public void delayAnswers(Duration delay) {
        this.delayNanos = delay.toNanos();
    }

    /**
     * New connections are accepted and then never read from or answered, and open ones stop passing
     * bytes either way: the caller sees a peer that is there and says nothing.
     */
    public void blackHole() {
        this.blackHole = true;
    }

    /** Bytes pass unchanged and at once again. Connections opened while black-holed stay silent until closed. */
    public void heal() {
        this.blackHole = false;
        this.delayNanos = 0;
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // Closed.
            }
            open.add(client);
            if (blackHole) {
                continue; // Kept open and never read: the caller waits for its own timeout.
            }
            threads.execute(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        open.add(upstream);
        try {
            upstream.connect(new InetSocketAddress(target.getHost(), target.getPort()), 5_000);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        threads.execute(() -> pump(client, upstream, false));
        pump(upstream, client, true);
    }

    /** Copies bytes one way until either side closes; then closes both, as a proxy's connection ends. */
    private void pump(Socket from, Socket to, boolean answers) {
        byte[] buffer = new byte[CHUNK];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (blackHole) {
                    continue; // Read and dropped: nothing reaches the other side.
                }
                long delay = delayNanos;
                if (answers && delay > 0) {
                    // The connection's next bytes wait behind these, as on a slow link.
                    Thread.sleep(delay / 1_000_000, (int) (delay % 1_000_000));
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // One side went away: the connection ends, below.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // Closing anyway.
        }
        open.forEach(this::closeQuietly);
        threads.shutdownNow();
    }
}
