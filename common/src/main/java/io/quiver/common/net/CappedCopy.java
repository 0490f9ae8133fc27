package io.quiver.common.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Supplier;

/** Copies a download to its destination, refusing more than a cap (a model URL, an S3 object). */
public final class CappedCopy {
    private CappedCopy() {
    }

    /** Copies {@code in} into {@code out}; past {@code maxBytes}, {@code tooLarge} is thrown. */
    public static void copy(InputStream in, OutputStream out, long maxBytes,
                            Supplier<? extends RuntimeException> tooLarge) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > maxBytes) {
                throw tooLarge.get();
            }
            out.write(buffer, 0, n);
        }
    }
}
