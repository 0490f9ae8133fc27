package io.quiver.manager.experiments;

import java.util.List;

/**
 * An experiment as routing reads it: immutable weights and the rotation for unkeyed requests. A
 * weight change builds a new one and swaps it in, so requests in flight finish on the old split and
 * none waits or fails.
 */
final class Assignment {
    private final Experiment experiment;
    private final String[] names;
    private final int[] weights;
    private final SmoothWeightedRoundRobin rotation;

    Assignment(Experiment experiment) {
        this.experiment = experiment;
        List<Variant> variants = experiment.variants();
        this.names = variants.stream().map(Variant::name).toArray(String[]::new);
        this.weights = variants.stream().mapToInt(Variant::weight).toArray();
        this.rotation = new SmoothWeightedRoundRobin(weights);
    }

    Experiment experiment() {
        return experiment;
    }

    /** The variant for a request: by its sticky key when it has one, else by weighted rotation. */
    Variant pick(String key) {
        int index = key == null || key.isEmpty() ? rotation.next() : WeightedRendezvous.choose(key, names, weights);
        return experiment.variants().get(index);
    }
}
