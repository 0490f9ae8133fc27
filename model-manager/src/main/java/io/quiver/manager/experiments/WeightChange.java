package io.quiver.manager.experiments;

import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.NotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A PATCH: {@code {"weights": {"a": 70, "b": 30}, "shadow_percent": {"s": 10}}}. Variants it does not
 * name keep their weight; a name the experiment does not have is a 404.
 */
@Schema(description = "New weights for some variants, new percents for some shadows; the rest keep theirs")
public record WeightChange(
        @Schema(description = "variant name to weight (0 to 1000000)", examples = "{\"a\": 70, \"b\": 30}")
        Map<String, Integer> weights,
        @Schema(description = "shadow name to percent (0 to 100)") Map<String, Integer> shadowPercent) {

    Experiment apply(Experiment experiment) {
        if (weights == null && shadowPercent == null) {
            throw new BadRequestException("a weight change needs 'weights' ({\"variant\": weight}) or 'shadow_percent'");
        }
        List<Variant> variants = new ArrayList<>(experiment.variants());
        for (Map.Entry<String, Integer> change : entries("weights", weights, ExperimentJson.MAX_WEIGHT)) {
            Variant variant = experiment.variant(change.getKey());
            variants.set(variants.indexOf(variant), variant.withWeight(change.getValue()));
        }
        ExperimentJson.checkWeights(experiment.name(), variants);
        List<Shadow> shadows = new ArrayList<>(experiment.shadows());
        for (Map.Entry<String, Integer> change : entries("shadow_percent", shadowPercent, 100)) {
            Shadow shadow = experiment.shadow(change.getKey()).orElseThrow(() -> new NotFoundException("experiment '"
                    + experiment.name() + "' has no shadow '" + change.getKey() + "'"));
            shadows.set(shadows.indexOf(shadow), shadow.withPercent(change.getValue()));
        }
        return new Experiment(experiment.name(), variants, shadows, experiment.stickyHeader(),
                experiment.stickyField(), experiment.defaultVariant());
    }

    private static List<Map.Entry<String, Integer>> entries(String field, Map<String, Integer> values, int max) {
        if (values == null) {
            return List.of();
        }
        List<Map.Entry<String, Integer>> entries = new ArrayList<>();
        values.forEach((name, value) -> entries.add(Map.entry(name,
                ExperimentJson.whole(field + "." + name, name, value, max, null))));
        return entries;
    }
}
