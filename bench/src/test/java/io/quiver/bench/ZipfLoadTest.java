package io.quiver.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The density part's request mix and its replay of the server's eviction policy. */
class ZipfLoadTest {

    @Test
    void ranksAreDrawnInProportionToOneOverRank() {
        ZipfLoad.ZipfSampler sampler = new ZipfLoad.ZipfSampler(1000, 1.0);
        double harmonic = 0;
        for (int k = 1; k <= 1000; k++) {
            harmonic += 1.0 / k;
        }
        assertEquals(1 / harmonic, sampler.probability(1), 1e-9);
        assertEquals(0.5 / harmonic, sampler.probability(2), 1e-9);

        Random random = new Random(7);
        int draws = 200_000;
        int[] counts = new int[1001];
        for (int i = 0; i < draws; i++) {
            counts[sampler.rank(random.nextDouble())]++;
        }
        // The first rank takes about 13% of the draws, the tenth about 1.3%, and no draw leaves 1..1000.
        assertEquals(sampler.probability(1), counts[1] / (double) draws, 0.005);
        assertEquals(sampler.probability(10), counts[10] / (double) draws, 0.002);
        assertEquals(draws, Arrays.stream(counts).sum());
        assertEquals(0, counts[0]);
    }

    @Test
    void aUniformDrawAtTheEdgesLandsOnTheFirstAndLastRank() {
        ZipfLoad.ZipfSampler sampler = new ZipfLoad.ZipfSampler(1000, 1.0);
        assertEquals(1, sampler.rank(0.0));
        assertEquals(1000, sampler.rank(Math.nextDown(1.0)));
    }

    @Test
    void theReplayEvictsTheLeastRecentlyUsed() {
        ZipfLoad.LruReplay replay = new ZipfLoad.LruReplay(2);
        assertFalse(replay.touch(1));
        assertFalse(replay.touch(2));
        assertTrue(replay.touch(1));
        // 2 is now the least recently used and goes for 3.
        assertFalse(replay.touch(3));
        assertTrue(replay.touch(1));
        assertFalse(replay.touch(2));
        assertFalse(replay.touch(3));
    }

    @Test
    void popularityIsAPermutationOfTheModels() {
        int[] order = ZipfLoad.permutation(1000, new Random(1));
        assertEquals(1000, Arrays.stream(order).distinct().count());
        assertEquals(0, Arrays.stream(order).min().orElseThrow());
        assertEquals(999, Arrays.stream(order).max().orElseThrow());
    }
}
