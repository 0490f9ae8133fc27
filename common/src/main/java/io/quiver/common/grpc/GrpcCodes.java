package io.quiver.common.grpc;

/**
 * gRPC status codes beside the HTTP statuses that stand for them, one table for both services: an
 * error a service raises with an HTTP status is answered over gRPC with the code Triton's and
 * KServe's gRPC frontends give it, and a gRPC answer the manager forwards is judged (retried,
 * counted against a breaker, labelled in metrics) by the HTTP status its code stands for.
 */
public final class GrpcCodes {
    public static final int OK = 0;
    public static final int CANCELLED = 1;
    public static final int UNKNOWN = 2;
    public static final int INVALID_ARGUMENT = 3;
    public static final int DEADLINE_EXCEEDED = 4;
    public static final int NOT_FOUND = 5;
    public static final int PERMISSION_DENIED = 7;
    public static final int RESOURCE_EXHAUSTED = 8;
    public static final int FAILED_PRECONDITION = 9;
    public static final int UNIMPLEMENTED = 12;
    public static final int INTERNAL = 13;
    public static final int UNAVAILABLE = 14;
    public static final int UNAUTHENTICATED = 16;

    private GrpcCodes() {
    }

    /** The code for an error a service raised with {@code httpStatus}. */
    public static int ofError(int httpStatus) {
        return switch (httpStatus) {
            case 400, 422 -> INVALID_ARGUMENT;
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 404 -> NOT_FOUND;
            case 409 -> FAILED_PRECONDITION;
            case 413 -> RESOURCE_EXHAUSTED;
            case 501 -> UNIMPLEMENTED;
            case 502, 503 -> UNAVAILABLE;
            case 504 -> DEADLINE_EXCEEDED;
            default -> INTERNAL;
        };
    }

    /**
     * The code a gRPC client gives an answer that came back with {@code httpStatus} and no
     * grpc-status at all (an HTTP peer that does not speak gRPC), as gRPC's HTTP/2 protocol
     * document maps them.
     */
    public static int ofBareHttp(int httpStatus) {
        return switch (httpStatus) {
            case 400 -> INTERNAL;
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 404 -> UNIMPLEMENTED;
            case 429, 502, 503, 504 -> UNAVAILABLE;
            default -> UNKNOWN;
        };
    }

    /** The HTTP status a gRPC {@code code} stands for, the inverse of {@link #ofError} where it has one. */
    public static int httpStatus(int code) {
        return switch (code) {
            case OK -> 200;
            case CANCELLED -> 499;
            case INVALID_ARGUMENT -> 400;
            case DEADLINE_EXCEEDED -> 504;
            case NOT_FOUND -> 404;
            case PERMISSION_DENIED -> 403;
            case RESOURCE_EXHAUSTED -> 413;
            case FAILED_PRECONDITION -> 409;
            case UNIMPLEMENTED -> 501;
            case UNAVAILABLE -> 503;
            case UNAUTHENTICATED -> 401;
            default -> 500;
        };
    }

    /**
     * A grpc-message value: percent-encoded UTF-8, as the protocol requires of anything outside
     * printable ASCII and of '%' itself.
     */
    public static String encodeMessage(String message) {
        StringBuilder out = new StringBuilder(message.length());
        for (byte b : message.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /**
     * A {@code grpc-timeout} value (at most 8 digits and a unit: H, M, S, m, u or n) in nanoseconds;
     * -1 when absent or malformed, which gRPC's own servers take as no deadline.
     */
    public static long timeoutNanos(String timeout) {
        if (timeout == null || timeout.length() < 2 || timeout.length() > 9) {
            return -1;
        }
        String digits = timeout.substring(0, timeout.length() - 1);
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        long amount = Long.parseLong(digits);
        java.util.concurrent.TimeUnit unit = switch (timeout.charAt(timeout.length() - 1)) {
            case 'H' -> java.util.concurrent.TimeUnit.HOURS;
            case 'M' -> java.util.concurrent.TimeUnit.MINUTES;
            case 'S' -> java.util.concurrent.TimeUnit.SECONDS;
            case 'm' -> java.util.concurrent.TimeUnit.MILLISECONDS;
            case 'u' -> java.util.concurrent.TimeUnit.MICROSECONDS;
            case 'n' -> java.util.concurrent.TimeUnit.NANOSECONDS;
            default -> null;
        };
        return unit == null ? -1 : unit.toNanos(amount);
    }
}
