package io.quiver.server.training;

import java.util.Locale;

/** Where a training job is: queued, then running, then one of the three final states. */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** The name on the wire: {@code queued}, {@code running}, ... */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
