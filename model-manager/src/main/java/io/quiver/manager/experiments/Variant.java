package io.quiver.manager.experiments;

/** One arm of an experiment: a name clients see, where its requests go, and its share of traffic. */
public record Variant(String name, Target target, int weight) {
    Variant withWeight(int newWeight) {
        return new Variant(name, target, newWeight);
    }
}
