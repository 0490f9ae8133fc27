package io.quiver.manager.experiments;

/** A variant that gets copies of {@code percent}% of live requests; its answers are only recorded. */
public record Shadow(String name, Target target, int percent) {
    Shadow withPercent(int newPercent) {
        return new Shadow(name, target, newPercent);
    }
}
