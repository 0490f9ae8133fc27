package io.quiver.server.statistics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one loaded model version has done since it was loaded, in the terms of the Open Inference
 * Protocol's statistics extension: requests that succeeded or failed and where their time went,
 * rows inferred, and model runs by batch size. It lives and dies with the version: a version
 * loaded again starts from zero, as in Triton.
 *
 * <p>Every request adds to it, so it takes no lock: adders only, read without a consistent cut
 * (a snapshot taken during traffic may see a request's success before its queue time).
 */
public final class ModelStatistics {
    private final LongAccumulator lastInferenceMillis = new LongAccumulator(Math::max, 0);
    private final LongAdder inferenceCount = new LongAdder();
    private final LongAdder executionCount = new LongAdder();
    private final Duration success = new Duration();
    private final Duration fail = new Duration();
    private final Duration queue = new Duration();
    private final Duration computeInput = new Duration();
    private final Duration computeInfer = new Duration();
    private final Duration computeOutput = new Duration();
    private final Map<Integer, BatchSize> batches = new ConcurrentHashMap<>();

    /** A request for this version answered: {@code rows} inferences, its whole time and where it went. */
    public void succeeded(int rows, long totalNanos, RequestTimes times) {
        lastInferenceMillis.accumulate(System.currentTimeMillis());
        inferenceCount.add(rows);
        success.add(totalNanos);
        queue.add(times.queueNanos());
        computeInput.add(times.inputNanos());
        computeInfer.add(times.inferNanos());
        computeOutput.add(times.outputNanos());
    }

    /** A request that named this version failed, whether its input was refused or its run. */
    public void failed(long totalNanos) {
        lastInferenceMillis.accumulate(System.currentTimeMillis());
        fail.add(totalNanos);
    }

    /** One successful run of the model over {@code batchSize} rows, shared by however many requests. */
    public void executed(int batchSize, long inputNanos, long inferNanos, long outputNanos) {
        executionCount.increment();
        BatchSize batch = batches.get(batchSize);
        if (batch == null) {
            batch = batches.computeIfAbsent(batchSize, BatchSize::new);
        }
        batch.computeInput.add(inputNanos);
        batch.computeInfer.add(inferNanos);
        batch.computeOutput.add(outputNanos);
    }

    /** Milliseconds since the epoch of the last request, 0 when there was none. */
    public long lastInferenceMillis() {
        return lastInferenceMillis.get();
    }

    public long inferenceCount() {
        return inferenceCount.sum();
    }

    public long executionCount() {
        return executionCount.sum();
    }

    public Duration success() {
        return success;
    }

    public Duration fail() {
        return fail;
    }

    public Duration queue() {
        return queue;
    }

    public Duration computeInput() {
        return computeInput;
    }

    public Duration computeInfer() {
        return computeInfer;
    }

    public Duration computeOutput() {
        return computeOutput;
    }

    /** Runs by batch size, smallest first. */
    public List<BatchSize> batchSizes() {
        List<BatchSize> sizes = new ArrayList<>(batches.values());
        sizes.sort(Comparator.comparingInt(BatchSize::size));
        return sizes;
    }

    /** A count of events and their cumulative duration. */
    public static final class Duration {
        private final LongAdder count = new LongAdder();
        private final LongAdder nanos = new LongAdder();

        void add(long duration) {
            count.increment();
            nanos.add(duration);
        }

        public long count() {
            return count.sum();
        }

        public long nanos() {
            return nanos.sum();
        }
    }

    /** The runs of one batch size. */
    public static final class BatchSize {
        private final int size;
        private final Duration computeInput = new Duration();
        private final Duration computeInfer = new Duration();
        private final Duration computeOutput = new Duration();

        BatchSize(int size) {
            this.size = size;
        }

        public int size() {
            return size;
        }

        public Duration computeInput() {
            return computeInput;
        }

        public Duration computeInfer() {
            return computeInfer;
        }

        public Duration computeOutput() {
            return computeOutput;
        }
    }
}
