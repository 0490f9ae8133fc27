package io.quiver.manager.routing;

import io.quiver.manager.resilience.Overload;

/**
 * A service answered with 502, 503 or 504: a failure for its circuit breaker and a reason to try
 * another service. The answer is kept so that it can be passed on when no retry is left.
 */
public final class UpstreamFailure extends RuntimeException implements Overload {
    private final Upstream answer;

    public UpstreamFailure(Upstream answer) {
        super("answered HTTP " + answer.status(), null, false, false);
        this.answer = answer;
    }

    public Upstream answer() {
        return answer;
    }

    /** 503 means busy rather than broken: retry elsewhere, but do not hold it against the service. */
    @Override
    public boolean overloaded() {
        return answer.status() == 503;
    }

    public static boolean retryable(int status) {
        return status == 502 || status == 503 || status == 504;
    }
}
