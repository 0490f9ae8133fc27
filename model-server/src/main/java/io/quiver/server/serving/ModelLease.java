package io.quiver.server.serving;

import io.quiver.server.inference.OnnxModel;

/** A resident model held for the length of one run; closing the lease lets it be freed. */
final class ModelLease implements AutoCloseable {
    private final LoadedModel loaded;

    ModelLease(LoadedModel loaded) {
        this.loaded = loaded;
    }

    OnnxModel model() {
        return loaded.model();
    }

    @Override
    public void close() {
        loaded.release();
    }
}
