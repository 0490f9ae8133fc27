package io.quiver.server.serving;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.common.concurrent.InlineRuns;
import io.quiver.common.error.UnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkersTest {

    @Test
    void aFullQueueRefusesAtOnceWithRetryAfterAndTakesWorkAgainOnceDrained() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Workers workers = new Workers("m:1", 1, 1, 3, Duration.ofMinutes(1), InlineRuns.NEVER, () -> { });
        CompletableFuture<String> running = workers.submit(() -> {
            started.countDown();
            release.await();
            return "first";
        }).orElseThrow();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        CompletableFuture<String> queued = workers.submit(() -> "second").orElseThrow();
        assertEquals(2, workers.inFlight());

        UnavailableException refused = assertThrows(UnavailableException.class, () -> workers.submit(() -> "third"));
        assertEquals(503, refused.status());
        assertEquals("3", refused.headers().get("Retry-After"));

        release.countDown();
        assertEquals("first", running.get(10, TimeUnit.SECONDS));
        assertEquals("second", queued.get(10, TimeUnit.SECONDS));
        assertEquals("again", workers.submit(() -> "again").orElseThrow().get(10, TimeUnit.SECONDS));
    }

    @Test
    void aLoneShortTaskRunsOnTheCallersThreadAndATaskArrivingMeanwhileOnAWorker() throws Exception {
        Workers workers = new Workers("m:1", 2, 8, 1, Duration.ofMinutes(1), new InlineRuns(Duration.ofSeconds(30), () -> true),
                () -> { });
        // Nothing is predicted before a task has been timed: the first goes to a worker.
        assertTrue(workers.submit(() -> Thread.currentThread().getName()).orElseThrow().get(10, TimeUnit.SECONDS)
                .startsWith("infer-m:1-"));
        assertTrue(workers.idle(), "a task's result completed before the task counted as finished");
        CompletableFuture<String> lone = workers.submit(() -> Thread.currentThread().getName()).orElseThrow();
        assertTrue(lone.isDone(), "answered before submit returned");
        assertEquals(Thread.currentThread().getName(), lone.get());
        assertTrue(workers.idle());

        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<String> held = new CompletableFuture<>();
        Thread caller = new Thread(() -> held.complete(workers.submit(() -> {
            started.countDown();
            release.await();
            return Thread.currentThread().getName();
        }).orElseThrow().join()), "caller");
        caller.start();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        CompletableFuture<String> meanwhile = workers.submit(() -> Thread.currentThread().getName()).orElseThrow();
        assertTrue(meanwhile.get(10, TimeUnit.SECONDS).startsWith("infer-m:1-"), meanwhile.get());
        release.countDown();
        assertEquals("caller", held.get(10, TimeUnit.SECONDS));
        workers.drainAndStop();
    }

    @Test
    void drainingWorkersFinishQueuedWorkThenStopAndRefuseNewWork() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Workers workers = new Workers("m:1", 1, 4, 1, Duration.ofMinutes(1), InlineRuns.NEVER, stopped::countDown);
        CompletableFuture<Integer> first = workers.submit(() -> {
            release.await();
            return 1;
        }).orElseThrow();
        CompletableFuture<Integer> second = workers.submit(() -> 2).orElseThrow();
        workers.drainAndStop();
        assertTrue(workers.submit(() -> 3).isEmpty(), "a draining pool takes no new work");
        assertEquals(1, stopped.getCount(), "not stopped while work is queued");

        release.countDown();
        assertEquals(1, first.get(10, TimeUnit.SECONDS));
        assertEquals(2, second.get(10, TimeUnit.SECONDS));
        assertTrue(stopped.await(10, TimeUnit.SECONDS));
    }

    @Test
    void threadsStartWithRequestsUpToTheLimitAndEndWhenIdleOrRetired() throws Exception {
        Workers workers = new Workers("m:1", 2, 8, 1, Duration.ofMillis(300), InlineRuns.NEVER, () -> { });
        assertEquals(0, workers.liveThreads(), "no thread before the first request");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(2);
        List<CompletableFuture<Integer>> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            held.add(workers.submit(() -> {
                started.countDown();
                release.await();
                return n;
            }).orElseThrow());
        }
        assertTrue(started.await(10, TimeUnit.SECONDS), "two tasks run at once");
        assertEquals(2, workers.liveThreads(), "no more threads than the limit");
        release.countDown();
        for (int i = 0; i < 3; i++) {
            assertEquals(i, held.get(i).get(10, TimeUnit.SECONDS));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> workers.liveThreads() == 0);
        assertEquals("again", workers.submit(() -> "again").orElseThrow().get(10, TimeUnit.SECONDS));
        assertEquals(1, workers.liveThreads());
    }

    @Test
    void retiringEndsWaitingThreadsAtOnceAndAStopWithNoThreadReportsItself() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        Workers workers = new Workers("m:1", 2, 8, 1, Duration.ofMinutes(1), InlineRuns.NEVER, stopped::countDown);
        assertEquals(1, workers.submit(() -> 1).orElseThrow().get(10, TimeUnit.SECONDS));
        assertEquals(1, workers.liveThreads());

        workers.retireIdle();
        await().atMost(Duration.ofSeconds(10)).until(() -> workers.liveThreads() == 0);
        assertEquals(2, workers.submit(() -> 2).orElseThrow().get(10, TimeUnit.SECONDS), "retired workers serve on");

        workers.retireIdle();
        await().atMost(Duration.ofSeconds(10)).until(() -> workers.liveThreads() == 0);
        workers.drainAndStop();
        assertTrue(stopped.await(10, TimeUnit.SECONDS), "stopped with no thread to report it");
        assertTrue(workers.submit(() -> 3).isEmpty());
    }
}
