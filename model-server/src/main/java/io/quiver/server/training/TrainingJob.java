package io.quiver.server.training;

import io.quiver.common.training.TrainingMessages.Job;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One training job and what is known of it. State changes are synchronized; progress is written by
 * the training thread alone and read by anyone.
 */
final class TrainingJob {
    private final String id;
    private final TrainingRequest request;
    private final Instant submittedAt = Instant.now();
    private final CountDownLatch done = new CountDownLatch(1);

    private JobState state = JobState.QUEUED;
    private Instant startedAt;
    private Instant finishedAt;
    private Map<String, Object> metrics = Map.of();
    private String version;
    private String error;
    private Runnable task;

    private volatile boolean cancelRequested;
    private volatile double progress;
    private volatile int epoch;
    private long steps;
    private long stepsPerEpoch = 1;
    private long totalSteps = 1;

    TrainingJob(String id, TrainingRequest request) {
        this.id = id;
        this.request = request;
    }

    String id() {
        return id;
    }

    TrainingRequest request() {
        return request;
    }

    synchronized JobState state() {
        return state;
    }

    synchronized Runnable task() {
        return task;
    }

    synchronized void task(Runnable task) {
        this.task = task;
    }

    /** Moves a queued job to running; false when it was cancelled while it waited. */
    synchronized boolean start() {
        if (state != JobState.QUEUED) {
            return false;
        }
        state = JobState.RUNNING;
        startedAt = Instant.now();
        return true;
    }

    /** Cancels the job if it has not started; false once it has. */
    synchronized boolean cancelQueued() {
        if (state != JobState.QUEUED) {
            return false;
        }
        finish(JobState.CANCELLED);
        return true;
    }

    /** Asks a running job to stop at its next check. */
    void requestCancel() {
        cancelRequested = true;
    }

    /** Throws {@link TrainingCancelled} once the job has been asked to stop. */
    void checkCancelled() {
        if (cancelRequested) {
            throw new TrainingCancelled();
        }
    }

    /** The learner is about to run {@code epochs} epochs of {@code stepsPerEpoch} gradient steps. */
    void plan(int epochs, long stepsPerEpoch) {
        this.stepsPerEpoch = Math.max(1, stepsPerEpoch);
        this.totalSteps = Math.max(1, (long) epochs * this.stepsPerEpoch);
        this.steps = 0;
    }

    /** Called by the training thread at every gradient step: counts it and stops if asked to. */
    void step() {
        checkCancelled();
        steps++;
        if (steps % stepsPerEpoch == 0) {
            epoch = (int) (steps / stepsPerEpoch);
        }
        progress = TRAINING_SHARE * steps / totalSteps;
    }

    /** Training takes this share of the progress; evaluating and publishing the rest. */
    static final double TRAINING_SHARE = 0.9;

    void progress(double value) {
        progress = value;
    }

    synchronized void metrics(Map<String, Object> metrics) {
        this.metrics = new LinkedHashMap<>(metrics);
    }

    synchronized void succeeded(String version) {
        this.version = version;
        progress = 1;
        finish(JobState.SUCCEEDED);
    }

    synchronized void failed(String reason) {
        this.error = reason;
        finish(JobState.FAILED);
    }

    synchronized void cancelled() {
        finish(JobState.CANCELLED);
    }

    private void finish(JobState end) {
        state = end;
        finishedAt = Instant.now();
        done.countDown();
    }

    /** Waits up to {@code millis} for the job to reach a final state. */
    boolean awaitFinished(long millis) throws InterruptedException {
        return done.await(millis, TimeUnit.MILLISECONDS);
    }

    synchronized boolean finished() {
        return state.finished();
    }

    /** The job as {@code GET /train/{id}} shows it. */
    synchronized Job view() {
        return new Job(id, request.modelType(), request.algorithm().wireName(), state.wire(),
                state == JobState.SUCCEEDED ? 1.0 : Math.round(progress * 1000) / 1000.0, epoch,
                request.hyperparameters().epochs(), request.hyperparameters().asMap(request.algorithm()),
                request.dataSource(), metrics, version, error, cancelRequested && !state.finished() ? Boolean.TRUE : null,
                submittedAt.toString(), startedAt == null ? null : startedAt.toString(),
                finishedAt == null ? null : finishedAt.toString());
    }
}
