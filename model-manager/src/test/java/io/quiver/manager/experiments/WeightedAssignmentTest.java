package io.quiver.manager.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The assignment math: splits hold, sticky keys stay put, weight changes move only what must move. */
class WeightedAssignmentTest {
    private static final String[] AB = {"a", "b"};
    private static final int KEYS = 10_000;

    @Test
    void tenThousandKeysOverAnEightyTwentySplitLandWithinTwoPoints() {
        int a = 0;
        for (String key : keys()) {
            if (WeightedRendezvous.choose(key, AB, new int[] {80, 20}) == 0) {
                a++;
            }
        }
        double share = 100.0 * a / KEYS;
        System.out.printf("[assignment] 10000 keys over 80/20: a=%.2f%%%n", share);
        assertTrue(Math.abs(share - 80) <= 2, "variant a got " + share + "% of keys, not 80 +- 2");
    }

    @Test
    void threeWaySplitsHoldToo() {
        String[] names = {"x", "y", "z"};
        int[] counts = new int[3];
        for (String key : keys()) {
            counts[WeightedRendezvous.choose(key, names, new int[] {50, 30, 20})]++;
        }
        assertTrue(Math.abs(counts[0] / 100.0 - 50) <= 2 && Math.abs(counts[1] / 100.0 - 30) <= 2
                && Math.abs(counts[2] / 100.0 - 20) <= 2, "50/30/20 split gave " + List.of(counts[0], counts[1], counts[2]));
    }

    @Test
    void aKeyKeepsItsVariantWhileTheWeightsHold() {
        for (String key : keys()) {
            int first = WeightedRendezvous.choose(key, AB, new int[] {80, 20});
            for (int again = 0; again < 3; again++) {
                assertEquals(first, WeightedRendezvous.choose(key, AB, new int[] {80, 20}), key + " changed variant");
            }
        }
    }

    @Test
    void movingTenPointsOfWeightMovesAboutTenPercentOfKeysAndOnlyTowardTheGrowingVariant() {
        int moved = 0;
        for (String key : keys()) {
            int before = WeightedRendezvous.choose(key, AB, new int[] {80, 20});
            int after = WeightedRendezvous.choose(key, AB, new int[] {70, 30});
            if (before != after) {
                moved++;
                assertEquals(0, before, key + " moved from b to a although only b's weight grew");
            }
        }
        double share = 100.0 * moved / KEYS;
        System.out.printf("[assignment] 80/20 -> 70/30 moved %.2f%% of keys%n", share);
        assertTrue(share >= 8 && share <= 12, share + "% of keys moved; about 10% must");
    }

    @Test
    void addingAVariantTakesKeysOnlyForItself() {
        String[] three = {"a", "b", "c"};
        int moved = 0;
        for (String key : keys()) {
            int before = WeightedRendezvous.choose(key, AB, new int[] {50, 50});
            int after = WeightedRendezvous.choose(key, three, new int[] {50, 50, 25});
            if (after != before) {
                assertEquals(2, after, key + " moved between the old variants");
                moved++;
            }
        }
        assertTrue(Math.abs(100.0 * moved / KEYS - 20) <= 2, moved + " keys moved to c; its share is 20%");
    }

    @Test
    void aZeroWeightVariantGetsNoKeys() {
        for (String key : keys()) {
            assertEquals(1, WeightedRendezvous.choose(key, AB, new int[] {0, 5}));
        }
    }

    @Test
    void rotationGivesAnExactSplitOverTenThousandRequestsInterleaved() {
        SmoothWeightedRoundRobin rotation = new SmoothWeightedRoundRobin(new int[] {80, 20});
        int a = 0;
        int longestRunOfA = 0;
        int run = 0;
        for (int i = 0; i < KEYS; i++) {
            if (rotation.next() == 0) {
                a++;
                longestRunOfA = Math.max(longestRunOfA, ++run);
            } else {
                run = 0;
            }
        }
        assertEquals(8_000, a, "80/20 over 10000 unkeyed requests");
        assertEquals(4, longestRunOfA, "80/20 interleaves as a a a a b, not in blocks");
    }

    @Test
    void rotationSkipsZeroWeights() {
        SmoothWeightedRoundRobin rotation = new SmoothWeightedRoundRobin(new int[] {0, 3, 1});
        int[] counts = new int[3];
        for (int i = 0; i < 400; i++) {
            counts[rotation.next()]++;
        }
        assertEquals(List.of(0, 300, 100), List.of(counts[0], counts[1], counts[2]));
    }

    private static List<String> keys() {
        List<String> keys = new ArrayList<>(KEYS);
        for (int i = 0; i < KEYS; i++) {
            keys.add("user-" + i);
        }
        return keys;
    }
}
