package io.quiver.server.protocol.v2;

import io.quiver.server.serving.ModelSlot;
import io.quiver.server.statistics.ModelStatistics;
import java.util.List;

/**
 * The statistics extension's answer, {@code {"model_stats": [...]}}. Every field is always present,
 * zero when nothing happened: clients such as perf_analyzer read them without checking.
 */
record ModelStatisticsReport(List<ModelStat> model_stats) {

    record ModelStat(String name, String version, long last_inference, long inference_count, long execution_count,
                     InferenceStats inference_stats, List<BatchStat> batch_stats, List<Object> memory_usage) {
    }

    /** {@code cache_hit} and {@code cache_miss} stay zero: this server keeps no response cache. */
    record InferenceStats(DurationStat success, DurationStat fail, DurationStat queue, DurationStat compute_input,
                          DurationStat compute_infer, DurationStat compute_output, DurationStat cache_hit,
                          DurationStat cache_miss) {
    }

    record BatchStat(int batch_size, DurationStat compute_input, DurationStat compute_infer,
                     DurationStat compute_output) {
    }

    record DurationStat(long count, long ns) {
        static final DurationStat NONE = new DurationStat(0, 0);

        static DurationStat of(ModelStatistics.Duration duration) {
            return new DurationStat(duration.count(), duration.nanos());
        }
    }

    static ModelStatisticsReport of(List<ModelSlot> slots) {
        return new ModelStatisticsReport(slots.stream().map(ModelStatisticsReport::stat).toList());
    }

    private static ModelStat stat(ModelSlot slot) {
        ModelStatistics s = slot.statistics();
        InferenceStats inference = new InferenceStats(DurationStat.of(s.success()), DurationStat.of(s.fail()),
                DurationStat.of(s.queue()), DurationStat.of(s.computeInput()), DurationStat.of(s.computeInfer()),
                DurationStat.of(s.computeOutput()), DurationStat.NONE, DurationStat.NONE);
        List<BatchStat> batches = s.batchSizes().stream().map(b -> new BatchStat(b.size(),
                DurationStat.of(b.computeInput()), DurationStat.of(b.computeInfer()),
                DurationStat.of(b.computeOutput()))).toList();
        return new ModelStat(slot.info().name(), slot.info().version(), s.lastInferenceMillis(), s.inferenceCount(),
                s.executionCount(), inference, batches, List.of());
    }
}
