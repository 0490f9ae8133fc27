package io.quiver.server.protocol.grpc;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Deadline;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client's {@code grpc-timeout} header read as the call's deadline, as gRPC's wire format writes it. */
class GrpcTimeoutHeaderTest {
    @Test
    void eachUnitGivesADeadlineThatFar() {
        assertAbout(2 * 3600_000L, CallContext.deadline("2H"));
        assertAbout(3 * 60_000L, CallContext.deadline("3M"));
        assertAbout(5_000L, CallContext.deadline("5S"));
        assertAbout(250L, CallContext.deadline("250m"));
        assertAbout(40L, CallContext.deadline("40000u"));
        assertAbout(7L, CallContext.deadline("7000000n"));
    }

    @Test
    void aMalformedHeaderMeansNoDeadline() {
        assertNull(CallContext.deadline(null));
        assertNull(CallContext.deadline("5"));
        assertNull(CallContext.deadline("5s "));
        assertNull(CallContext.deadline("-5S"));
        assertNull(CallContext.deadline("123456789S"), "at most eight digits");
        assertNull(CallContext.deadline("5X"));
    }

    private static void assertAbout(long millis, Deadline deadline) {
        long left = deadline.timeRemaining(TimeUnit.MILLISECONDS);
        assertTrue(left <= millis && left >= millis - 1000, left + " ms left, expected about " + millis);
    }
}
