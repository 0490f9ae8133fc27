package io.quiver.manager.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.error.NotFoundException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A PATCH: {@code {"weights": {"a": 70, "b": 30}, "shadow_percent": {"s": 10}}}. Variants it does not
 * name keep their weight; a name the experiment does not have is a 404.
 */
final class WeightChange {
    private static final Set<String> FIELDS = Set.of("weights", "shadow_percent");

    private WeightChange() {
    }

    static Experiment apply(Experiment experiment, JsonNode body) {
        ExperimentJson.requireObject("a weight change", body);
        ExperimentJson.knownFields("a weight change", body, FIELDS);
        if (!body.has("weights") && !body.has("shadow_percent")) {
            throw new BadRequestException("a weight change needs 'weights' ({\"variant\": weight}) or 'shadow_percent'");
        }
        List<Variant> variants = new ArrayList<>(experiment.variants());
        for (Map.Entry<String, Integer> change : entries(body, "weights", ExperimentJson.MAX_WEIGHT)) {
            Variant variant = experiment.variant(change.getKey());
            variants.set(variants.indexOf(variant), variant.withWeight(change.getValue()));
        }
        ExperimentJson.checkWeights(experiment.name(), variants);
        List<Shadow> shadows = new ArrayList<>(experiment.shadows());
        for (Map.Entry<String, Integer> change : entries(body, "shadow_percent", 100)) {
            Shadow shadow = experiment.shadow(change.getKey()).orElseThrow(() -> new NotFoundException("experiment '"
                    + experiment.name() + "' has no shadow '" + change.getKey() + "'"));
            shadows.set(shadows.indexOf(shadow), shadow.withPercent(change.getValue()));
        }
        return new Experiment(experiment.name(), variants, shadows, experiment.stickyHeader(),
                experiment.stickyField(), experiment.defaultVariant());
    }

    private static List<Map.Entry<String, Integer>> entries(JsonNode body, String field, int max) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isObject()) {
            throw new BadRequestException("field '" + field + "' must be an object of name to whole number");
        }
        List<Map.Entry<String, Integer>> entries = new ArrayList<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            entries.add(Map.entry(name, ExperimentJson.integer(field + "." + name, node, name, max, null)));
        }
        return entries;
    }
}
