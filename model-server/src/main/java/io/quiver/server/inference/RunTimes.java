package io.quiver.server.inference;

/**
 * Told how long the three parts of one successful {@link OnnxModel#run} took: building the ONNX
 * tensors, the session's run, and reading its outputs back into tensors.
 */
@FunctionalInterface
public interface RunTimes {
    RunTimes NONE = (inputNanos, inferNanos, outputNanos) -> { };

    void ran(long inputNanos, long inferNanos, long outputNanos);

    /** Whether the run is only the server's own warm-up, which execution statistics and batch meters leave out. */
    default boolean warmup() {
        return false;
    }
}
