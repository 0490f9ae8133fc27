package io.quiver.common.files;

import io.quiver.common.error.UnavailableException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * 503: a change could not be written to disk (the file system is full or read-only, say), so it
 * was not made. Nothing already acknowledged is affected, and the same request succeeds once the
 * disk takes writes again.
 */
public class StorageUnavailableException extends UnavailableException {
    private static final int RETRY_AFTER_SECONDS = 5;

    public StorageUnavailableException(String what, Path path, IOException cause) {
        // The operating system's reason is the message; like every ApiException it carries no cause.
        super("cannot write " + what + " (" + path + "): " + reason(cause) + "; nothing was changed", RETRY_AFTER_SECONDS);
    }

    /** The operating system's words where Java has them ("No space left on device", "Read-only file system"). */
    private static String reason(IOException cause) {
        String message = cause.getMessage();
        if (cause instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            message = fs.getReason();
        }
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
