package io.quiver.server.payloadlog;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One destination of records with a bounded buffer and a thread of its own. Request threads only
 * {@link #offer}: a full buffer drops the record and counts it, so a slow or dead destination costs
 * them nothing. The thread writes what it takes in batches and outlives every failure of a write:
 * the batch is counted failed, a warning logged (at most once a minute), and the next batch tried.
 */
abstract class Sink {
    private static final Logger LOG = Logger.getLogger(Sink.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration WARN_EVERY = Duration.ofMinutes(1);

    private final String name;
    private final BlockingQueue<byte[]> buffer;
    private final int batchSize;
    private final Duration linger;
    private final Counter written;
    private final Counter dropped;
    private final Counter failed;
    private final Thread thread;
    private volatile boolean running = true;

    private long lastWarning = System.nanoTime() - WARN_EVERY.toNanos();
    private double droppedReported;
    private String failureSinceWarning;
    private long failuresSinceWarning;

    /**
     * @param batchSize most records written at once
     * @param linger    how long the first record of a batch waits for more; zero writes what is buffered
     */
    Sink(String name, int capacity, int batchSize, Duration linger, MeterRegistry meters) {
        this.name = name;
        this.buffer = new ArrayBlockingQueue<>(capacity);
        this.batchSize = batchSize;
        this.linger = linger;
        this.written = counter(meters, name, "written");
        this.dropped = counter(meters, name, "dropped");
        this.failed = counter(meters, name, "failed");
        this.thread = new Thread(this::run, "quiver-payload-log-" + name);
        this.thread.setDaemon(true);
    }

    private static Counter counter(MeterRegistry meters, String sink, String outcome) {
        return Counter.builder("quiver.payload.log.records")
                .description("Payload log records by sink and outcome: written, dropped (its buffer was full) "
                        + "or failed (the write or POST failed)")
                .tag("sink", sink).tag("outcome", outcome).register(meters);
    }

    /** Writes one batch; any exception counts the batch failed. */
    protected abstract void write(List<byte[]> batch) throws Exception;

    /** Where records go, for the log. */
    abstract String target();

    /** Releases what the sink holds; called once by its thread as it ends. */
    protected void close() {
    }

    void start() {
        thread.start();
    }

    /** Buffers a record, or drops and counts it when the buffer is full; never waits. */
    void offer(byte[] record) {
        if (!buffer.offer(record)) {
            dropped.increment();
        }
    }

    /** Stops taking records, writes what is buffered within {@code grace}, and ends the thread. */
    void stop(Duration grace) {
        running = false;
        try {
            thread.join(grace.toMillis());
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(grace.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<byte[]> batch = new ArrayList<>(batchSize);
        try {
            while (running || !buffer.isEmpty()) {
                try {
                    byte[] first = buffer.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
                    if (first != null) {
                        batch.add(first);
                        fill(batch);
                        write(batch);
                        written.increment(batch.size());
                    }
                } catch (InterruptedException e) {
                    failed.increment(batch.size());
                    return; // stopping: what is still buffered is lost with the process
                } catch (Throwable e) {
                    // Whatever a write throws, the thread goes on to the next batch: a sink that died
                    // here would leave its buffer to fill and every later record dropped.
                    failed.increment(batch.size());
                    failuresSinceWarning++;
                    failureSinceWarning = e.toString();
                } finally {
                    batch.clear();
                }
                warnIfDue();
            }
        } finally {
            try {
                close();
            } catch (RuntimeException e) {
                LOG.warnf("payload log %s: closing failed: %s", name, e.toString());
            }
        }
    }

    private void fill(List<byte[]> batch) throws InterruptedException {
        long deadline = System.nanoTime() + linger.toNanos();
        while (batch.size() < batchSize) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || !running) {
                buffer.drainTo(batch, batchSize - batch.size());
                return;
            }
            byte[] next = buffer.poll(remaining, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
        }
    }

    private void warnIfDue() {
        long now = System.nanoTime();
        if (now - lastWarning < WARN_EVERY.toNanos()) {
            return;
        }
        double drops = dropped.count() - droppedReported;
        if (drops > 0) {
            LOG.warnf("payload log %s: %.0f records dropped since the last report: its buffer of %d was full",
                    name, drops, buffer.remainingCapacity() + buffer.size());
            droppedReported += drops;
            lastWarning = now;
        }
        if (failuresSinceWarning > 0) {
            LOG.warnf("payload log %s: %d batches failed since the last report, the last with %s",
                    name, failuresSinceWarning, failureSinceWarning);
            failuresSinceWarning = 0;
            lastWarning = now;
        }
    }
}
