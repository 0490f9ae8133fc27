package io.quiver.common.concurrent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class InlineRunsTest {
    private static final Duration LIMIT = Duration.ofMillis(1);

    @Test
    void nothingRunsInlineBeforeARunHasBeenTimed() {
        InlineRuns inline = new InlineRuns(LIMIT, () -> true);
        assertFalse(inline.arrived(false, 1));
        inline.ran(1, 10_000);
        assertTrue(inline.arrived(false, 1));
    }

    @Test
    void aRequestRunsInlineOnlyWhenItsRowsArePredictedToRunWithinTheLimit() {
        InlineRuns inline = new InlineRuns(LIMIT, () -> true);
        inline.ran(4, 400_000); // 100 µs a row
        assertTrue(inline.arrived(false, 10));
        assertFalse(inline.arrived(false, 11));
    }

    @Test
    void aRequestThatFindsOthersInProgressNeverRunsInline() {
        InlineRuns inline = new InlineRuns(LIMIT, () -> true);
        inline.ran(1, 1_000);
        assertFalse(inline.arrived(true, 1));
    }

    @Test
    void afterRequestsOverlapInlineRunsWaitUntilMostArrivalsFindTheQueueIdleAgain() {
        InlineRuns inline = new InlineRuns(LIMIT, () -> true);
        inline.ran(1, 1_000);
        for (int i = 0; i < 64; i++) {
            inline.arrived(true, 1);
        }
        // Most recent arrivals found others in progress: an idle moment under load is not a lone client.
        assertFalse(inline.arrived(false, 1));
        int alone = 1;
        while (!inline.arrived(false, 1)) {
            alone++;
            assertTrue(alone < 64, "still not inline after " + alone + " lone arrivals");
        }
        assertTrue(alone > 8, "inline again after only " + alone + " lone arrivals");
    }

    @Test
    void workThatCannotStartAtOnceIsHandedOff() {
        AtomicBoolean resident = new AtomicBoolean(false);
        InlineRuns inline = new InlineRuns(LIMIT, resident::get);
        inline.ran(1, 1_000);
        assertFalse(inline.arrived(false, 1));
        resident.set(true);
        assertTrue(inline.arrived(false, 1));
    }

    @Test
    void aZeroLimitAndNeverHandEverythingOff() {
        InlineRuns off = new InlineRuns(Duration.ZERO, () -> true);
        off.ran(1, 0);
        assertFalse(off.arrived(false, 1));
        InlineRuns.NEVER.ran(1, 0);
        assertFalse(InlineRuns.NEVER.arrived(false, 1));
    }
}
