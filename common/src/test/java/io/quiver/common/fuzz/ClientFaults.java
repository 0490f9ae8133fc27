package io.quiver.common.fuzz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.common.error.ApiException;
import io.quiver.common.json.WireBodyReader;
import io.quiver.common.json.WireJson;
import java.io.IOException;

/**
 * The verdict of the fuzz tests on one input: a decoder of client bytes either succeeds or refuses
 * the input with a client error, an {@link ApiException} of a 4xx status whose message names the
 * problem, which the one error mapper renders as JSON. Anything else escaping (a runtime exception,
 * an error such as running out of memory, a 5xx) would reach the client as a 500 and is a finding.
 */
public final class ClientFaults {
    /**
     * The longest a fuzz test fuzzes when JUnit runs it with JAZZER_FUZZ=1; {@code ./quiver fuzz}
     * gives Jazzer's driver the same bound, and stops each target after its executions well before.
     */
    public static final String LONGEST_RUN = "30m";

    private static final ObjectMapper JSON = WireJson.configure(new ObjectMapper());

    private ClientFaults() {
    }

    /** What a fuzz test runs on one input. */
    @FunctionalInterface
    public interface Decoding {
        void run() throws Exception;
    }

    /** Runs {@code decoding}; an exception it throws that is not a clear client error fails the input. */
    public static void refusedOrDecoded(Decoding decoding) {
        try {
            decoding.run();
        } catch (ApiException e) {
            requireClientError(e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("a checked exception escaped the decoder", e);
        }
    }

    /**
     * As {@link #refusedOrDecoded}, for a typed request that Jackson binds: a body it cannot bind is a
     * {@link JsonProcessingException}, which the error mapper answers as a 400 naming the field.
     */
    public static void refusedOrBound(Decoding decoding) {
        refusedOrDecoded(() -> {
            try {
                decoding.run();
            } catch (JsonProcessingException e) {
                requireMessage(e.getOriginalMessage(), e);
            }
        });
    }

    /**
     * The typed request in {@code body} as a resource receives it: read by {@link WireBodyReader}
     * with the service's mapper configuration; null for a blank body, which the resource's
     * {@code @NotNull} refuses with a 400.
     */
    public static <T> T typedBody(byte[] body, Class<T> type) throws IOException {
        return type.cast(WireBodyReader.read(JSON, body, JSON.constructType(type)));
    }

    /** {@code e} is a client error (4xx) with a message. */
    public static void requireClientError(ApiException e) {
        if (e.status() < 400 || e.status() > 499) {
            throw new AssertionError("refused with status " + e.status() + ", not a client error", e);
        }
        requireMessage(e.getMessage(), e);
    }

    private static void requireMessage(String message, Exception e) {
        if (message == null || message.isBlank()) {
            throw new AssertionError("refused without a message saying why", e);
        }
    }
}
