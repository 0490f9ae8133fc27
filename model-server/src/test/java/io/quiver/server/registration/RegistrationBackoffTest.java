package io.quiver.server.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Waits between failed calls to the model-manager: 1 s, doubling, capped at the heartbeat interval. */
class RegistrationBackoffTest {

    @Test
    void theWaitDoublesFromOneSecondUpToTheHeartbeatInterval() {
        FailureStreak streak = new FailureStreak(Duration.ofSeconds(5));
        assertEquals(List.of(1000L, 2000L, 4000L, 5000L, 5000L), waits(streak, 5));
        assertEquals(5, streak.failures());
    }

    @Test
    void aSuccessStartsTheNextStreakFromOneSecondAgain() {
        FailureStreak streak = new FailureStreak(Duration.ofSeconds(5));
        waits(streak, 3);
        streak.succeeded("call");
        assertEquals(0, streak.failures());
        assertEquals(List.of(1000L, 2000L), waits(streak, 2));
    }

    @Test
    void aHeartbeatIntervalUnderOneSecondCapsEveryWait() {
        assertEquals(List.of(200L, 200L, 200L), waits(new FailureStreak(Duration.ofMillis(200)), 3));
    }

    private static List<Long> waits(FailureStreak streak, int failures) {
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < failures; i++) {
            waits.add(streak.failed("call", "refused").toMillis());
        }
        return waits;
    }
}
