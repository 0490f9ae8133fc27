package io.quiver.common.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A fuzz input that carries something besides a body, a header's value or a name in the path, as
 * its first line, so that corpus files stay readable: {@code head} is that line, {@code body} the
 * bytes after it.
 */
public record HeadedInput(String head, byte[] body) {

    /** The input split at its first newline; null when it has none (no such request). */
    public static HeadedInput split(byte[] input) {
        for (int i = 0; i < input.length; i++) {
            if (input[i] == '\n') {
                return new HeadedInput(new String(input, 0, i, StandardCharsets.UTF_8),
                        Arrays.copyOfRange(input, i + 1, input.length));
            }
        }
        return null;
    }
}
