package io.quiver.server.warmup;

import java.util.List;
import java.util.Optional;

/**
 * What a model version's warm-up did.
 *
 * @param runNanos the time of each run that succeeded, in order; empty when warm-up was off
 * @param declared whether the inputs were the descriptor's samples rather than generated ones
 * @param failure  why the generated inputs were refused, when they were; the model is served anyway
 */
public record WarmupOutcome(List<Long> runNanos, boolean declared, Optional<String> failure) {

    public static final WarmupOutcome OFF = new WarmupOutcome(List.of(), false, Optional.empty());

    public WarmupOutcome {
        runNanos = List.copyOf(runNanos);
    }

    public boolean ran() {
        return !runNanos.isEmpty() || failure.isPresent();
    }
}
