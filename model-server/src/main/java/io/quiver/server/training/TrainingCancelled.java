package io.quiver.server.training;

/** Thrown inside a job, at its next check, once the job has been asked to stop. */
final class TrainingCancelled extends RuntimeException {
    TrainingCancelled() {
        super("cancelled", null, false, false);
    }
}
