package io.quiver.manager.experiments;

import io.quiver.common.error.NotFoundException;
import java.util.List;
import java.util.Optional;

/**
 * A logical model split between variants by weight, with shadow variants beside it. Requests that
 * carry the sticky header (or body field) keep their variant while the weights hold.
 *
 * @param defaultVariant what {@code POST /api/v1/predictions} uses
 */
public record Experiment(String name, List<Variant> variants, List<Shadow> shadows, String stickyHeader,
                         String stickyField, String defaultVariant) {
    public static final String DEFAULT = "default";

    public Experiment {
        variants = List.copyOf(variants);
        shadows = List.copyOf(shadows);
    }

    public Variant variant(String variantName) {
        return find(variantName).orElseThrow(() -> new NotFoundException("experiment '" + name + "' has no variant '"
                + variantName + "'; its variants are " + variants.stream().map(Variant::name).toList()));
    }

    public Optional<Variant> find(String variantName) {
        return variants.stream().filter(v -> v.name().equals(variantName)).findFirst();
    }

    public Optional<Shadow> shadow(String shadowName) {
        return shadows.stream().filter(s -> s.name().equals(shadowName)).findFirst();
    }
}
