package io.quiver.bench.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The soak's judgement of whether a process's figure grew after the warm-up. */
class TrendTest {

    /** A reading a minute for {@code minutes} minutes: base + perMinute * t, plus noise of ± noise. */
    private static List<Trend.Point> series(int minutes, double base, double perMinute, double noise, long seed) {
        Random random = new Random(seed);
        List<Trend.Point> points = new ArrayList<>();
        for (int minute = 0; minute <= minutes; minute++) {
            points.add(new Trend.Point(minute, base + perMinute * minute + (random.nextDouble() * 2 - 1) * noise));
        }
        return points;
    }

    @Test
    void aSteadyClimbIsMeasuredPerTenMinutesAndFails() {
        // 2 MiB a minute: a leak of 20 MiB per 10 min against a limit of 10.
        Trend trend = Trend.of("RSS MiB", series(30, 200, 2, 0, 1), 5, 10);

        assertEquals(20, trend.slopePer10Minutes(), 1e-9);
        assertEquals(26, trend.samples());
        assertTrue(trend.grows());
        assertEquals("GROWS", trend.verdict());
    }

    @Test
    void aFlatButNoisySeriesPasses() {
        // Collections and connection churn move the readings by ±8 MiB around a constant level.
        Trend trend = Trend.of("RSS MiB", series(30, 200, 0, 8, 2), 5, 10);

        assertTrue(Math.abs(trend.slopePer10Minutes()) < 10, trend.describe());
        assertFalse(trend.grows());
        assertEquals("flat", trend.verdict());
    }

    @Test
    void growthDuringTheWarmUpAloneIsNotHeldAgainstTheProcess() {
        // The JIT and the first connections: +60 MiB over the first five minutes, then level for ten.
        List<Trend.Point> points = new ArrayList<>();
        for (int minute = 0; minute <= 15; minute++) {
            points.add(new Trend.Point(minute, 150 + 12 * Math.min(minute, 5)));
        }

        assertFalse(Trend.of("RSS MiB", points, 5, 10).grows());
        assertTrue(Trend.of("RSS MiB", points, 0, 10).grows(), "judged from the start, the warm-up is growth");
    }

    @Test
    void aFallingFigureNeverFails() {
        Trend trend = Trend.of("threads", series(30, 80, -3, 0, 3), 5, 2);

        assertEquals(-30, trend.slopePer10Minutes(), 1e-9);
        assertFalse(trend.grows());
    }

    @Test
    void tooFewSamplesAfterTheWarmUpAreNotJudged() {
        // A replica killed four minutes after it started: even a steep climb says nothing yet.
        Trend trend = Trend.of("fds", series(6, 40, 50, 0, 4), 5, 5);

        assertEquals(2, trend.samples());
        assertFalse(trend.judged());
        assertFalse(trend.grows());
        assertTrue(trend.verdict().startsWith("not judged"), trend.verdict());
    }
}
