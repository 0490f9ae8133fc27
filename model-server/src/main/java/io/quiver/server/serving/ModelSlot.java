package io.quiver.server.serving;

import io.quiver.server.cache.ModelResidency;
import io.quiver.server.cache.Resident;
import io.quiver.common.error.ApiException;
import io.quiver.common.error.UnavailableException;
import io.quiver.server.inference.OnnxModel;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * One loaded model version: what is known of it, its workers, and its session when resident. A
 * slot is replaced, never changed, when the same version is loaded again; the old one drains.
 */
public final class ModelSlot implements Resident {
    private final ModelInfo info;
    private final Workers workers;
    private final ModelResidency residency;
    private final int intraOpThreads;
    private final Object loading = new Object();
    private volatile LoadedModel loaded;
    private volatile long lastUsedNanos = System.nanoTime();

    ModelSlot(ModelInfo info, OnnxModel opened, ModelResidency residency, int threads, int maxQueue,
              int retryAfterSeconds, int intraOpThreads) {
        this.info = info;
        this.residency = residency;
        this.intraOpThreads = intraOpThreads;
        this.loaded = new LoadedModel(opened);
        this.workers = new Workers(info.toString(), threads, maxQueue, retryAfterSeconds, this::stopped);
    }

    public ModelInfo info() {
        return info;
    }

    /** Runs {@code task} on this version's workers; empty when the slot is draining. */
    <T> Optional<CompletableFuture<T>> submit(Callable<T> task) {
        return workers.submit(task);
    }

    /** The session, loading it again if it was evicted. Call from a worker thread: loading blocks. */
    ModelLease acquire() {
        lastUsedNanos = System.nanoTime();
        LoadedModel current = loaded;
        if (current != null && current.retain()) {
            return new ModelLease(current);
        }
        synchronized (loading) {
            current = loaded;
            if (current != null && current.retain()) {
                return new ModelLease(current);
            }
            try {
                current = new LoadedModel(OnnxModel.open(info.file(), intraOpThreads));
            } catch (ApiException e) {
                throw new UnavailableException("model " + info + " was evicted and cannot be loaded again: "
                        + e.getMessage(), 5);
            }
            current.retain();
            loaded = current;
        }
        residency.admit(this);
        return new ModelLease(current);
    }

    /** Stops taking requests; once queued ones finish, the session is freed. */
    void retire() {
        workers.drainAndStop();
    }

    private void stopped() {
        residency.forget(this);
        evict();
    }

    @Override
    public void evict() {
        LoadedModel current;
        synchronized (loading) {
            current = loaded;
            loaded = null;
        }
        if (current != null) {
            current.retire();
        }
    }

    @Override
    public boolean resident() {
        return loaded != null;
    }

    @Override
    public long residentBytes() {
        return info.sizeBytes();
    }

    @Override
    public long lastUsedNanos() {
        return lastUsedNanos;
    }

    public int workerThreads() {
        return workers.threads();
    }

    public int queueCapacity() {
        return workers.capacity() - workers.threads();
    }

    public int inFlight() {
        return workers.inFlight();
    }

    @Override
    public String toString() {
        return info.toString();
    }
}
