package io.quiver.common.concurrent;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A single named daemon thread for periodic background work, so it never keeps a stopping JVM alive. */
public final class DaemonTimer {
    private DaemonTimer() {
    }

    public static ScheduledExecutorService named(String name) {
        return Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        });
    }
}
