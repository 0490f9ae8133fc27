package io.quiver.manager.experiments;

import java.nio.charset.StandardCharsets;

/**
 * Sticky assignment of a key to one of several weighted choices by weighted rendezvous (highest
 * random weight) hashing: each choice scores {@code -weight / ln(u)}, where {@code u} in (0, 1) is
 * a hash of the key and the choice's name, and the highest score wins. A key lands on a choice with
 * probability weight / total, its choice never changes while the weights hold, and when they change
 * only the share that must move does: raising one weight only pulls keys to that choice, and adding
 * a choice only takes keys from the others. Hashing a key into [0, 1) and cutting that range by
 * cumulative weights would move keys between choices whose weights did not change.
 */
final class WeightedRendezvous {
    private static final double UNIT = 0x1.0p-53;

    private WeightedRendezvous() {
    }

    /** The index of the winning choice among those with a positive weight, or -1 when none has one. */
    static int choose(String key, String[] names, int[] weights) {
        long keyHash = hash(key);
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < names.length; i++) {
            if (weights[i] <= 0) {
                continue;
            }
            long mixed = mix(keyHash ^ Long.rotateLeft(hash(names[i]), 29) * 0x9E3779B97F4A7C15L);
            double u = ((mixed >>> 11) + 0.5) * UNIT;
            double score = -weights[i] / Math.log(u);
            if (score > bestScore) {
                best = i;
                bestScore = score;
            }
        }
        return best;
    }

    /** FNV-1a over the UTF-8 bytes, finished by a strong mixer so that similar keys spread apart. */
    static long hash(String text) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** The finalizer of SplitMix64: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
