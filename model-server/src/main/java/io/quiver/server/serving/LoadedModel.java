package io.quiver.server.serving;

import io.quiver.server.inference.OnnxModel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A resident session with a reference count. The slot holds one reference; every running request
 * holds another. Retiring (a swap, an eviction, an unload) drops the slot's reference, so the native
 * session closes only after the last request that was using it has finished.
 */
final class LoadedModel {
    private final OnnxModel model;
    private final AtomicInteger references = new AtomicInteger(1);
    private final AtomicBoolean retired = new AtomicBoolean();

    LoadedModel(OnnxModel model) {
        this.model = model;
    }

    OnnxModel model() {
        return model;
    }

    /** Takes a reference unless the session is already closing. */
    boolean retain() {
        while (true) {
            int count = references.get();
            if (count == 0) {
                return false;
            }
            if (references.compareAndSet(count, count + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (references.decrementAndGet() == 0) {
            model.close();
        }
    }

    void retire() {
        if (retired.compareAndSet(false, true)) {
            release();
        }
    }
}
