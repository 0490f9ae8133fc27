package io.quiver.server.cache;

/** Something that holds memory while resident and can give it back. */
public interface Resident {
    /** Estimated bytes held while resident. */
    long residentBytes();

    /** When it was last used, from {@link System#nanoTime()}. */
    long lastUsedNanos();

    boolean resident();

    /** Frees the memory; the next use loads it again. */
    void evict();
}
