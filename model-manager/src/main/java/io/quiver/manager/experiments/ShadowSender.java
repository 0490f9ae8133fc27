package io.quiver.manager.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.concurrent.DaemonTimer;
import io.quiver.manager.routing.Routed;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Copies live requests to an experiment's shadows, off the client's path: the client's thread only
 * takes a slot (or counts a drop when {@code shadow-capacity} copies are already queued or in
 * flight) and hands the copy to a background thread. A shadow's answer or failure is recorded and
 * compared with the primary's, and reaches no client.
 */
@ApplicationScoped
public class ShadowSender {
    private final TargetSender sender;
    private final ExperimentMetrics metrics;
    private final Semaphore capacity;
    private final double tolerance;
    private final ExecutorService executor = DaemonTimer.named("experiment-shadows");

    ShadowSender(TargetSender sender, ExperimentMetrics metrics, ExperimentsConfig config) {
        this.sender = sender;
        this.metrics = metrics;
        this.capacity = new Semaphore(config.shadowCapacity());
        this.tolerance = config.agreementTolerance();
    }

    void copy(Experiment experiment, JsonNode data, String requestId, CompletableFuture<Routed> primary) {
        for (Shadow shadow : experiment.shadows()) {
            if (shadow.percent() < 100 && ThreadLocalRandom.current().nextInt(100) >= shadow.percent()) {
                continue;
            }
            if (!capacity.tryAcquire()) {
                metrics.dropped(experiment.name(), shadow.name());
                continue;
            }
            try {
                executor.execute(() -> send(experiment.name(), shadow, data, requestId, primary));
            } catch (RejectedExecutionException e) {
                capacity.release();
                metrics.dropped(experiment.name(), shadow.name());
            }
        }
    }

    private void send(String experiment, Shadow shadow, JsonNode data, String requestId,
                      CompletableFuture<Routed> primary) {
        long start = System.nanoTime();
        sender.sendShadow(shadow.target(), data, requestId + ":shadow-" + shadow.name()).whenComplete((routed, failure) -> {
            try {
                Optional<PredictionAnswer> answer = failure == null ? PredictionAnswer.of(routed.answer()) : Optional.empty();
                // A shadow that cannot answer what the primary answers has failed, whatever the status says.
                metrics.answered(experiment, shadow.name(), ExperimentMetrics.SHADOW, System.nanoTime() - start,
                        answer.isEmpty());
                answer.ifPresent(mine -> primary.thenAccept(first -> PredictionAnswer.of(first.answer())
                        .ifPresent(theirs -> metrics.compared(experiment, shadow.name(), theirs.agrees(mine, tolerance)))));
            } finally {
                capacity.release();
            }
        });
    }
}
