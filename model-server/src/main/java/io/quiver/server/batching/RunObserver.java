package io.quiver.server.batching;

/** Told of every ONNX Runtime run a batching model version makes: the batch-size and run-time metrics. */
@FunctionalInterface
public interface RunObserver {
    RunObserver NONE = (rows, nanos) -> { };

    void ran(int rows, long nanos);
}
