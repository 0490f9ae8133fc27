package io.quiver.manager.experiments;

/**
 * Unkeyed assignment by smooth weighted round-robin (as nginx balances upstreams): over every run of
 * {@code total weight} requests each choice gets exactly its weight, interleaved rather than in
 * blocks, so an 80/20 split holds over a few hundred requests, not only on average.
 */
final class SmoothWeightedRoundRobin {
    private final int[] weights;
    private final long[] current;
    private final long total;

    SmoothWeightedRoundRobin(int[] weights) {
        this.weights = weights.clone();
        this.current = new long[weights.length];
        long sum = 0;
        for (int w : weights) {
            sum += Math.max(0, w);
        }
        this.total = sum;
    }

    /** The index of the next choice, or -1 when every weight is 0. */
    synchronized int next() {
        int best = -1;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] <= 0) {
                continue;
            }
            current[i] += weights[i];
            if (best < 0 || current[i] > current[best]) {
                best = i;
            }
        }
        if (best >= 0) {
            current[best] -= total;
        }
        return best;
    }
}
