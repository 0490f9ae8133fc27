package io.quiver.manager.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecentTrafficTest {
    private static final long MINUTE = 60_000;
    private static final long START = 29_000_000 * MINUTE;

    @Test
    void eachMinuteCountsItsRequestsErrorsAndPercentiles() {
        RecentTraffic traffic = new RecentTraffic();
        for (int i = 1; i <= 100; i++) {
            traffic.record(START + 5_000, i * 1_000_000L, i % 10 == 0);
        }
        traffic.record(START + MINUTE + 1_000, 50_000_000L, false);

        List<RecentTraffic.MinuteFigures> minutes = traffic.minutes(START + MINUTE + 2_000);
        assertEquals(RecentTraffic.MINUTES, minutes.size());
        RecentTraffic.MinuteFigures busy = minutes.get(minutes.size() - 2);
        assertEquals(START / MINUTE, busy.epochMinute());
        assertEquals(100, busy.requests());
        assertEquals(10, busy.errors());
        // Latencies 1..100 ms: the median is 50 ms and p99 99 ms, each read as its bucket's upper bound (within 25%).
        assertTrue(busy.p50Ms() >= 50 && busy.p50Ms() <= 50 * 1.25, "p50 " + busy.p50Ms());
        assertTrue(busy.p99Ms() >= 99 && busy.p99Ms() <= 99 * 1.25, "p99 " + busy.p99Ms());
        assertEquals(1, minutes.get(minutes.size() - 1).requests());
        RecentTraffic.MinuteFigures quiet = minutes.get(0);
        assertEquals(0, quiet.requests());
        assertNull(quiet.p99Ms());
    }

    @Test
    void aMinuteOlderThanTheRingIsForgottenWhenItsSlotComesRound() {
        RecentTraffic traffic = new RecentTraffic();
        traffic.record(START, 1_000_000L, true);
        long later = START + RecentTraffic.MINUTES * MINUTE;
        traffic.record(later, 2_000_000L, false);

        List<RecentTraffic.MinuteFigures> minutes = traffic.minutes(later);
        assertEquals(1, minutes.stream().mapToLong(RecentTraffic.MinuteFigures::requests).sum());
        assertEquals(0, minutes.stream().mapToLong(RecentTraffic.MinuteFigures::errors).sum());
    }
}
