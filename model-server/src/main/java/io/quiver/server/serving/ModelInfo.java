package io.quiver.server.serving;

import io.quiver.server.inference.ModelSignature;
import io.quiver.server.repository.ModelDescriptor;
import java.nio.file.Path;
import java.time.Instant;

/** What is known of a loaded model version whether or not it is resident right now. */
public record ModelInfo(String name, String version, ModelDescriptor descriptor, ModelSignature signature,
                        Path file, long sizeBytes, Instant loadedAt) {

    /** The type {@code /predict} may route by: the descriptor's, else the name. */
    public String modelType() {
        return descriptor.modelType() == null ? name : descriptor.modelType();
    }

    @Override
    public String toString() {
        return name + ":" + version;
    }
}
