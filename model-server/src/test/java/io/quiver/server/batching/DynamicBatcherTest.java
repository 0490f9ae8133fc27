package io.quiver.server.batching;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.common.concurrent.InlineRuns;
import io.quiver.common.error.BadRequestException;
import io.quiver.server.inference.DataType;
import io.quiver.server.inference.InferenceRequest;
import io.quiver.server.inference.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The batcher against an engine written in Java that doubles its input and records the rows of
 * every run, so what was merged and what each request got back can be seen exactly.
 */
class DynamicBatcherTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    /**
     * y = 2x over [rows, 2] float inputs; refuses a run holding a negative value, as a model might,
     * and holds a run whose first value is {@link #HOLD} until {@link #release} opens.
     */
    private static final class Doubler implements BatchEngine {
        static final float HOLD = 1_000_000;
        /** A merged run holding this value throws an {@link Error}, as a native library or a full heap may. */
        static final float CRASH = -1_000_000;
        final List<Integer> runs = Collections.synchronizedList(new ArrayList<>());
        /** The thread of each run, in the order of {@link #runs}. */
        final List<String> threads = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public List<Tensor> run(InferenceRequest request) {
            Tensor x = request.inputs().get(0);
            float[] in = (float[]) x.data();
            if (in[0] == HOLD) {
                holding.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            float[] out = new float[in.length];
            for (int i = 0; i < in.length; i++) {
                if (in[i] == CRASH && x.shape()[0] > 1) {
                    throw new AssertionError("the run went wrong");
                }
                if (in[i] < 0) {
                    throw new BadRequestException("negative value " + in[i]);
                }
                out[i] = 2 * in[i];
            }
            runs.add((int) x.shape()[0]);
            threads.add(Thread.currentThread().getName());
            return List.of(new Tensor("y", DataType.FP32, x.shape().clone(), out));
        }
    }

    private static InferenceRequest rows(float first, int count) {
        float[] data = new float[count * 2];
        for (int i = 0; i < data.length; i++) {
            data[i] = first + i;
        }
        return InferenceRequest.of(List.of(new Tensor("x", DataType.FP32, new long[] {count, 2}, data)));
    }

    private static DynamicBatcher batcher(BatchEngine engine, int maxRows, Duration delay, Runnable stopped) {
        return batcher(engine, maxRows, delay, LONG, stopped);
    }

    private static DynamicBatcher batcher(BatchEngine engine, int maxRows, Duration delay, Duration idle, Runnable stopped) {
        return new DynamicBatcher("m:1", new BatchingPolicy(true, maxRows, delay), 2, 256, 1, idle, InlineRuns.NEVER, engine,
                RunObserver.NONE, stopped);
    }

    private static DynamicBatcher inlineBatcher(Doubler engine, InlineRuns inline, Runnable stopped) {
        return new DynamicBatcher("m:1", new BatchingPolicy(true, 64, LONG), 2, 256, 1, LONG, inline, engine,
                RunObserver.NONE, stopped);
    }

    /** The first value of the answer; by then its run counts as over, so the next lone request may run inline. */
    private static float settled(DynamicBatcher batcher, CompletableFuture<List<Tensor>> result) throws Exception {
        float value = answer(result)[0];
        assertTrue(batcher.idle(), "a request was answered before its run counted as over");
        return value;
    }

    private static float[] answer(CompletableFuture<List<Tensor>> result) throws Exception {
        return (float[]) result.get(30, TimeUnit.SECONDS).get(0).data();
    }

    private static float[] doubled(InferenceRequest request) {
        float[] in = (float[]) request.inputs().get(0).data();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = 2 * in[i];
        }
        return out;
    }

    private record BehindAHeldRun(CompletableFuture<List<Tensor>> held, List<CompletableFuture<List<Tensor>>> batch) {
    }

    /** While one run is held on one thread, queues {@code requests}, which fill a batch at once. */
    private static BehindAHeldRun queueBehindAHeldRun(DynamicBatcher batcher, Doubler engine,
                                                      List<InferenceRequest> requests) throws InterruptedException {
        CompletableFuture<List<Tensor>> held = batcher.submit(rows(Doubler.HOLD, 1)).orElseThrow();
        assertTrue(engine.holding.await(30, TimeUnit.SECONDS));
        List<CompletableFuture<List<Tensor>>> batch = new ArrayList<>();
        for (InferenceRequest request : requests) {
            batch.add(batcher.submit(request).orElseThrow());
        }
        return new BehindAHeldRun(held, batch);
    }

    @Test
    void concurrentRequestsShareRunsOfAtMostTheMaximumAndEachGetsItsOwnRows() throws Exception {
        Doubler engine = new Doubler();
        DynamicBatcher batcher = batcher(engine, 8, Duration.ofMillis(5), () -> { });
        int clients = 16;
        int perClient = 20;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perClient; i++) {
                        InferenceRequest request = rows(client * 1000 + i * 10, 1 + (client + i) % 5);
                        assertArrayEquals(doubled(request), answer(batcher.submit(request).orElseThrow()));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> client : done) {
                client.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            batcher.drainAndStop();
        }
        int requests = clients * perClient;
        System.out.printf("%d requests in %d runs, largest %d rows%n", requests, engine.runs.size(),
                Collections.max(engine.runs));
        assertTrue(engine.runs.stream().allMatch(r -> r <= 8), () -> "runs over 8 rows: " + engine.runs);
        assertTrue(engine.runs.size() < requests, "16 concurrent clients had requests merged");
    }

    @Test
    void aRequestWithMoreRowsThanARunMayHoldRunsInSlicesAndIsAnsweredWhole() throws Exception {
        Doubler engine = new Doubler();
        DynamicBatcher batcher = batcher(engine, 8, Duration.ZERO, () -> { });
        InferenceRequest request = rows(1, 20);
        assertArrayEquals(doubled(request), answer(batcher.submit(request).orElseThrow()));
        assertEquals(List.of(8, 8, 4), engine.runs);
        batcher.drainAndStop();
    }

    @Test
    void whenAMergedRunFailsEachRequestRunsAloneSoOnlyTheBadOneFails() throws Exception {
        Doubler engine = new Doubler();
        DynamicBatcher batcher = batcher(engine, 4, LONG, () -> { });
        List<InferenceRequest> requests = List.of(rows(1, 1), rows(10, 1), rows(-5, 1), rows(20, 1));
        BehindAHeldRun queued = queueBehindAHeldRun(batcher, engine, requests);
        List<CompletableFuture<List<Tensor>>> results = queued.batch();
        for (int i = 0; i < requests.size(); i++) {
            if (i == 2) {
                ExecutionException failed = assertThrows(ExecutionException.class,
                        () -> results.get(2).get(30, TimeUnit.SECONDS));
                assertInstanceOf(BadRequestException.class, failed.getCause());
            } else {
                assertArrayEquals(doubled(requests.get(i)), answer(results.get(i)));
            }
        }
        assertEquals(List.of(1, 1, 1), engine.runs, "the merged run of 4 failed; three ran alone and succeeded");
        engine.release.countDown();
        answer(queued.held());
        batcher.drainAndStop();
    }

    @Test
    void anErrorInAMergedRunFailsThatBatchReleasesItsPlacesAndTheThreadServesOn() throws Exception {
        Doubler engine = new Doubler();
        DynamicBatcher batcher = batcher(engine, 4, LONG, () -> { });
        BehindAHeldRun queued = queueBehindAHeldRun(batcher, engine,
                List.of(rows(1, 1), rows(Doubler.CRASH, 1), rows(10, 1), rows(20, 1)));
        for (CompletableFuture<List<Tensor>> result : queued.batch()) {
            ExecutionException failed = assertThrows(ExecutionException.class, () -> result.get(30, TimeUnit.SECONDS));
            // Not an ApiException: the error mapper answers it with the JSON 500 and logs it.
            assertInstanceOf(AssertionError.class, failed.getCause());
        }
        // A place is given back just after its request is answered.
        await().atMost(LONG).until(batcher::inFlight, inFlight -> inFlight == 1);
        // The held run keeps the other thread busy, so only the one that met the error can answer this
        // (a full batch, so it does not wait for company).
        InferenceRequest next = rows(5, 4);
        assertArrayEquals(doubled(next), (float[]) batcher.submit(next).orElseThrow()
                .get(10, TimeUnit.SECONDS).get(0).data());
        engine.release.countDown();
        answer(queued.held());
        await().atMost(LONG).until(batcher::inFlight, inFlight -> inFlight == 0);
        batcher.drainAndStop();
    }

    @Test
    void aRequestThatFindsTheModelIdleRunsAtOnce() throws Exception {
        Doubler engine = new Doubler();
        DynamicBatcher batcher = batcher(engine, 64, LONG, () -> { });
        InferenceRequest request = rows(3, 1);
        // Answered long before the 30 s delay: with no run in progress nothing waits for company.
        assertArrayEquals(doubled(request), (float[]) batcher.submit(request).orElseThrow()
                .get(10, TimeUnit.SECONDS).get(0).data());
        batcher.drainAndStop();
    }

    @Test
    void aRequestArrivingWhileAnotherIsBeingAnsweredFindsTheModelIdleAndDoesNotWaitForCompany() throws Exception {
        Doubler engine = new Doubler();
        DynamicBatcher batcher = batcher(engine, 64, LONG, () -> { });
        CountDownLatch answering = new CountDownLatch(1);
        CountDownLatch answered = new CountDownLatch(1);
        // The first run is held until its answer has a dependent that holds, as a response's
        // encoding does, the thread that answers it.
        CompletableFuture<List<Tensor>> first = batcher.submit(rows(Doubler.HOLD, 1)).orElseThrow();
        CompletableFuture<Void> held = first.thenAccept(outputs -> {
            answering.countDown();
            try {
                answered.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(engine.holding.await(30, TimeUnit.SECONDS));
        engine.release.countDown();
        assertTrue(answering.await(30, TimeUnit.SECONDS));
        InferenceRequest next = rows(7, 1);
        // Its run ended before its answer was handed out: the next request runs at once, far within the 30 s delay.
        assertArrayEquals(doubled(next), (float[]) batcher.submit(next).orElseThrow()
                .get(10, TimeUnit.SECONDS).get(0).data());
        answered.countDown();
        held.get(30, TimeUnit.SECONDS);
        batcher.drainAndStop();
    }

    @Test
    void whileARunIsInProgressTheNextRequestWaitsForCompanyNoLongerThanTheDelay() throws Exception {
        Doubler engine = new Doubler();
        Duration delay = Duration.ofMillis(200);
        DynamicBatcher batcher = batcher(engine, 64, delay, () -> { });
        CompletableFuture<List<Tensor>> held = batcher.submit(rows(Doubler.HOLD, 1)).orElseThrow();
        assertTrue(engine.holding.await(30, TimeUnit.SECONDS));
        long began = System.nanoTime();
        InferenceRequest request = rows(3, 1);
        assertArrayEquals(doubled(request), answer(batcher.submit(request).orElseThrow()));
        long waited = System.nanoTime() - began;
        assertTrue(waited >= delay.toNanos(), "waited the delay for others to join: " + waited / 1_000_000 + " ms");
        assertFalse(held.isDone(), "then ran on the other thread while the held run was still in progress");
        engine.release.countDown();
        answer(held);
        batcher.drainAndStop();
    }

    @Test
    void stoppingAnswersWhatIsQueuedTakesNothingNewAndThenReportsItself() throws Exception {
        Doubler engine = new Doubler();
        CountDownLatch stopped = new CountDownLatch(1);
        DynamicBatcher batcher = batcher(engine, 64, LONG, stopped::countDown);
        CompletableFuture<List<Tensor>> held = batcher.submit(rows(Doubler.HOLD, 1)).orElseThrow();
        assertTrue(engine.holding.await(30, TimeUnit.SECONDS));
        List<CompletableFuture<List<Tensor>>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(batcher.submit(rows(i, 1)).orElseThrow());
        }
        batcher.drainAndStop();
        engine.release.countDown();
        answer(held);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(doubled(rows(i, 1)), answer(queued.get(i)), "queued before stopping, answered");
        }
        assertTrue(batcher.submit(rows(9, 1)).isEmpty(), "a stopping batcher takes no new request");
        assertTrue(stopped.await(30, TimeUnit.SECONDS));
        assertEquals(0, batcher.inFlight());
    }

    @Test
    void threadsStartWithRequestsUpToTheLimitAndEndWhenRetiredOrIdle() throws Exception {
        Doubler engine = new Doubler();
        DynamicBatcher batcher = batcher(engine, 1, Duration.ZERO, Duration.ofMillis(300), () -> { });
        assertEquals(0, batcher.liveThreads(), "no thread before the first request");

        CompletableFuture<List<Tensor>> held = batcher.submit(rows(Doubler.HOLD, 1)).orElseThrow();
        assertTrue(engine.holding.await(10, TimeUnit.SECONDS));
        assertEquals(1, batcher.liveThreads());
        // One thread is busy, so a second request gets a thread of its own; a third, sent once that
        // thread is free again, runs on it rather than on a third thread.
        CompletableFuture<List<Tensor>> second = batcher.submit(rows(1, 1)).orElseThrow();
        assertArrayEquals(doubled(rows(1, 1)), answer(second));
        CompletableFuture<List<Tensor>> third = batcher.submit(rows(3, 1)).orElseThrow();
        assertArrayEquals(doubled(rows(3, 1)), answer(third));
        assertEquals(2, batcher.liveThreads());
        engine.release.countDown();
        answer(held);

        // Idle for the idle time, both end; the next request starts one again and is answered.
        await().atMost(Duration.ofSeconds(10)).until(() -> batcher.liveThreads() == 0);
        assertArrayEquals(doubled(rows(5, 1)), answer(batcher.submit(rows(5, 1)).orElseThrow()));
        assertEquals(1, batcher.liveThreads());
    }

    @Test
    void retiringEndsWaitingThreadsAtOnceAndAStopWithNoThreadReportsItself() throws Exception {
        Doubler engine = new Doubler();
        CountDownLatch stopped = new CountDownLatch(1);
        DynamicBatcher batcher = batcher(engine, 64, Duration.ZERO, LONG, stopped::countDown);
        assertArrayEquals(doubled(rows(1, 1)), answer(batcher.submit(rows(1, 1)).orElseThrow()));
        assertEquals(1, batcher.liveThreads());

        batcher.retireIdle();
        await().atMost(Duration.ofSeconds(10)).until(() -> batcher.liveThreads() == 0);
        assertArrayEquals(doubled(rows(2, 1)), answer(batcher.submit(rows(2, 1)).orElseThrow()),
                "a retired batcher serves its next request");

        batcher.retireIdle();
        await().atMost(Duration.ofSeconds(10)).until(() -> batcher.liveThreads() == 0);
        batcher.drainAndStop();
        assertTrue(stopped.await(10, TimeUnit.SECONDS), "stopped with no thread to report it");
        assertTrue(batcher.submit(rows(3, 1)).isEmpty());
    }

    @Test
    void aLoneRequestWithShortRunsIsAnsweredOnTheCallersThreadOnceARunHasBeenTimed() throws Exception {
        Doubler engine = new Doubler();
        DynamicBatcher batcher = inlineBatcher(engine, new InlineRuns(LONG, () -> true), () -> { });
        // The first run has nothing to predict from: it goes to the batcher's thread and is timed.
        assertEquals(2f, settled(batcher, batcher.submit(rows(1, 1)).orElseThrow()));
        assertTrue(engine.threads.get(0).startsWith("batch-m:1-"), engine.threads.toString());

        CompletableFuture<List<Tensor>> second = batcher.submit(rows(5, 1)).orElseThrow();
        assertTrue(second.isDone(), "answered before submit returned");
        assertEquals(10f, settled(batcher, second));
        assertEquals(Thread.currentThread().getName(), engine.threads.get(1));
        await().atMost(LONG).until(batcher::inFlight, inFlight -> inFlight == 0);
        batcher.drainAndStop();
    }

    @Test
    void requestsArrivingDuringAnInlineRunQueueAndShareTheNextRun() throws Exception {
        Doubler engine = new Doubler();
        DynamicBatcher batcher = inlineBatcher(engine, new InlineRuns(LONG, () -> true), () -> { });
        settled(batcher, batcher.submit(rows(1, 1)).orElseThrow());
        CompletableFuture<List<Tensor>> held = new CompletableFuture<>();
        Thread caller = new Thread(() -> held.complete(batcher.submit(rows(Doubler.HOLD, 1)).orElseThrow().join()), "caller");
        caller.start();
        assertTrue(engine.holding.await(30, TimeUnit.SECONDS));

        List<CompletableFuture<List<Tensor>>> others = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            others.add(batcher.submit(rows(10 + i, 1)).orElseThrow());
        }
        others.forEach(f -> assertFalse(f.isDone(), "a request arriving during a run must not run on its caller"));
        engine.release.countDown();
        for (int i = 0; i < 3; i++) {
            assertEquals(2f * (10 + i), settled(batcher, others.get(i)));
        }
        assertEquals(2f * Doubler.HOLD, ((float[]) held.get(30, TimeUnit.SECONDS).get(0).data())[0]);
        caller.join(30_000);
        // The held run was the caller's own; the three waited for it to end and then ran together.
        assertEquals(List.of("batch-m:1-1", "caller"), engine.threads.subList(0, 2));
        assertEquals(List.of(1, 1, 3), engine.runs);
        assertTrue(engine.threads.get(2).startsWith("batch-m:1-"), engine.threads.toString());
        batcher.drainAndStop();
    }

    @Test
    void runsPredictedLongerThanTheLimitAreHandedOff() throws Exception {
        Doubler engine = new Doubler();
        DynamicBatcher batcher = inlineBatcher(engine, new InlineRuns(Duration.ofNanos(1), () -> true), () -> { });
        for (int i = 0; i < 3; i++) {
            settled(batcher, batcher.submit(rows(i, 1)).orElseThrow());
        }
        engine.threads.forEach(name -> assertTrue(name.startsWith("batch-m:1-"), engine.threads.toString()));
        batcher.drainAndStop();
    }

    @Test
    void aModelThatCannotRunAtOnceIsHandedOff() throws Exception {
        Doubler engine = new Doubler();
        AtomicBoolean resident = new AtomicBoolean(false);
        DynamicBatcher batcher = inlineBatcher(engine, new InlineRuns(LONG, resident::get), () -> { });
        settled(batcher, batcher.submit(rows(1, 1)).orElseThrow());
        settled(batcher, batcher.submit(rows(2, 1)).orElseThrow());
        resident.set(true);
        settled(batcher, batcher.submit(rows(3, 1)).orElseThrow());
        assertTrue(engine.threads.get(1).startsWith("batch-m:1-"), engine.threads.toString());
        assertEquals(Thread.currentThread().getName(), engine.threads.get(2));
        batcher.drainAndStop();
    }

    @Test
    void stoppingWaitsForARunOnACallersThreadBeforeReportingItself() throws Exception {
        Doubler engine = new Doubler();
        CountDownLatch stopped = new CountDownLatch(1);
        DynamicBatcher batcher = inlineBatcher(engine, new InlineRuns(LONG, () -> true), stopped::countDown);
        settled(batcher, batcher.submit(rows(1, 1)).orElseThrow());
        batcher.retireIdle();
        await().atMost(LONG).until(batcher::liveThreads, live -> live == 0);
        CompletableFuture<List<Tensor>> held = new CompletableFuture<>();
        Thread caller = new Thread(() -> held.complete(batcher.submit(rows(Doubler.HOLD, 1)).orElseThrow().join()), "caller");
        caller.start();
        assertTrue(engine.holding.await(30, TimeUnit.SECONDS));

        batcher.drainAndStop();
        // No thread of its own is left, but the caller's run is not over: the version is not stopped yet.
        assertEquals(1, stopped.getCount());
        assertTrue(batcher.submit(rows(3, 1)).isEmpty(), "a stopping batcher takes no new request");
        engine.release.countDown();
        assertTrue(stopped.await(30, TimeUnit.SECONDS));
        assertEquals(2f * Doubler.HOLD, ((float[]) held.get(30, TimeUnit.SECONDS).get(0).data())[0]);
    }
}
