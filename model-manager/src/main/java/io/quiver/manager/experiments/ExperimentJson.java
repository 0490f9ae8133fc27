package io.quiver.manager.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.json.JsonBodies;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one wire form of an experiment, read from the API, the experiments file and the manager's own
 * store alike, and naming whatever is wrong: unknown fields, bad names, weights that are not
 * non-negative integers or sum to 0, duplicate variant names.
 */
public final class ExperimentJson {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}");
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9\\-]{0,63}");
    static final int MAX_WEIGHT = 1_000_000;
    private static final Set<String> FIELDS = Set.of("variants", "shadow", "sticky_header", "sticky_field",
            "default_variant");
    private static final Set<String> VARIANT_FIELDS = Set.of("name", "model_type", "model_version", "services",
            "weight");
    private static final Set<String> SHADOW_FIELDS = Set.of("name", "model_type", "model_version", "services",
            "percent");

    private ExperimentJson() {
    }

    public static void checkName(String what, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new BadRequestException(what + " '" + name + "' may hold only letters, digits, '_', '-' and '.', "
                    + "start with a letter or digit, and be at most 64 characters");
        }
    }

    public static Experiment parse(String name, JsonNode body) {
        checkName("experiment name", name);
        requireObject("an experiment", body);
        knownFields("an experiment", body, FIELDS);
        JsonNode variantsNode = JsonBodies.required(body, "variants");
        if (!variantsNode.isArray() || variantsNode.isEmpty()) {
            throw new BadRequestException("field 'variants' must be a non-empty array, got " + describe(variantsNode));
        }
        Set<String> names = new HashSet<>();
        List<Variant> variants = new ArrayList<>();
        for (int i = 0; i < variantsNode.size(); i++) {
            JsonNode node = variantsNode.get(i);
            String where = "variants[" + i + "]";
            String variantName = element(where, node, VARIANT_FIELDS, names);
            variants.add(new Variant(variantName, target(where, node), integer(where, node, "weight", MAX_WEIGHT, null)));
        }
        checkWeights(name, variants);
        List<Shadow> shadows = new ArrayList<>();
        JsonNode shadowNode = body.get("shadow");
        if (shadowNode != null && !shadowNode.isNull()) {
            if (!shadowNode.isArray()) {
                throw new BadRequestException("field 'shadow' must be an array, got " + JsonBodies.kind(shadowNode));
            }
            for (int i = 0; i < shadowNode.size(); i++) {
                JsonNode node = shadowNode.get(i);
                String where = "shadow[" + i + "]";
                String shadowName = element(where, node, SHADOW_FIELDS, names);
                shadows.add(new Shadow(shadowName, target(where, node), integer(where, node, "percent", 100, 100)));
            }
        }
        String header = JsonBodies.optionalText(body, "sticky_header");
        if (header != null && !HEADER.matcher(header).matches()) {
            throw new BadRequestException("sticky_header '" + header + "' is not a header name (letters, digits and '-')");
        }
        String field = JsonBodies.optionalText(body, "sticky_field");
        if (field != null && (!NAME.matcher(field).matches() || field.equals("features"))) {
            throw new BadRequestException("sticky_field '" + field + "' must be a top-level body field name other than "
                    + "'features' (letters, digits, '_', '-', '.')");
        }
        String chosen = JsonBodies.optionalText(body, "default_variant");
        List<String> variantNames = variants.stream().map(Variant::name).toList();
        if (chosen != null && !variantNames.contains(chosen)) {
            throw new BadRequestException("default_variant '" + chosen + "' is not one of the variants " + variantNames);
        }
        return new Experiment(name, variants, shadows, header, field, chosen != null ? chosen : variantNames.get(0));
    }

    /** Weights must leave some traffic somewhere. */
    static void checkWeights(String experiment, List<Variant> variants) {
        long sum = variants.stream().mapToLong(Variant::weight).sum();
        if (sum <= 0) {
            throw new BadRequestException("the weights of experiment '" + experiment + "' sum to 0; at least one "
                    + "variant needs a positive weight");
        }
    }

    public static ObjectNode render(Experiment experiment) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("name", experiment.name());
        ArrayNode variants = json.putArray("variants");
        for (Variant v : experiment.variants()) {
            ObjectNode node = variants.addObject().put("name", v.name());
            target(node, v.target());
            node.put("weight", v.weight());
        }
        ArrayNode shadows = json.putArray("shadow");
        for (Shadow s : experiment.shadows()) {
            ObjectNode node = shadows.addObject().put("name", s.name());
            target(node, s.target());
            node.put("percent", s.percent());
        }
        if (experiment.stickyHeader() != null) {
            json.put("sticky_header", experiment.stickyHeader());
        }
        if (experiment.stickyField() != null) {
            json.put("sticky_field", experiment.stickyField());
        }
        json.put("default_variant", experiment.defaultVariant());
        return json;
    }

    /** The stored form, without the name: the store and the experiments file key experiments by name. */
    static ObjectNode stored(Experiment experiment) {
        ObjectNode json = render(experiment);
        json.remove("name");
        return json;
    }

    private static void target(ObjectNode node, Target target) {
        if (target.modelType() != null) {
            node.put("model_type", target.modelType());
        }
        if (target.modelVersion() != null) {
            node.put("model_version", target.modelVersion());
        }
        if (!target.services().isEmpty()) {
            ArrayNode services = node.putArray("services");
            target.services().forEach(services::add);
        }
    }

    private static Target target(String where, JsonNode node) {
        String modelType = JsonBodies.optionalText(node, "model_type");
        if (modelType != null && modelType.isBlank()) {
            throw new BadRequestException(where + ": model_type must not be empty");
        }
        String version = JsonBodies.optionalText(node, "model_version");
        List<String> services = new ArrayList<>();
        JsonNode servicesNode = node.get("services");
        if (servicesNode != null && !servicesNode.isNull()) {
            if (!servicesNode.isArray() || servicesNode.isEmpty()) {
                throw new BadRequestException(where + ": services must be a non-empty array of service ids, got "
                        + describe(servicesNode));
            }
            for (JsonNode id : servicesNode) {
                if (!id.isTextual() || id.asText().isBlank()) {
                    throw new BadRequestException(where + ": services must hold service ids (strings), got "
                            + JsonBodies.kind(id));
                }
                services.add(id.asText());
            }
        }
        if (modelType == null && services.isEmpty()) {
            throw new BadRequestException(where + " needs a model_type, services, or both");
        }
        return new Target(modelType, version, services);
    }

    /** Checks a variant or shadow object and returns its name, which must be new among {@code names}. */
    private static String element(String where, JsonNode node, Set<String> fields, Set<String> names) {
        requireObject(where, node);
        knownFields(where, node, fields);
        String name = JsonBodies.text(node, "name");
        checkName(where + " name", name);
        if (!names.add(name)) {
            throw new BadRequestException(where + ": the name '" + name + "' is used twice; variant and shadow names "
                    + "must be unique");
        }
        return name;
    }

    /** A whole number in [0, max]: 80, not 80.5, "80" or -1. */
    static int integer(String where, JsonNode node, String field, int max, Integer byDefault) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (byDefault != null) {
                return byDefault;
            }
            throw new BadRequestException(where + ": field '" + field + "' is required");
        }
        if (!value.isIntegralNumber() || value.asLong() < 0 || value.asLong() > max) {
            throw new BadRequestException(where + ": " + field + " must be a whole number from 0 to " + max + ", got "
                    + value);
        }
        return value.asInt();
    }

    static void requireObject(String what, JsonNode node) {
        if (!node.isObject()) {
            throw new BadRequestException(what + " must be a JSON object, got " + JsonBodies.kind(node));
        }
    }

    static void knownFields(String what, JsonNode node, Set<String> known) {
        node.fieldNames().forEachRemaining(field -> {
            if (!known.contains(field)) {
                throw new BadRequestException("unknown field '" + field + "' in " + what + "; it takes "
                        + known.stream().sorted().toList());
            }
        });
    }

    private static String describe(JsonNode node) {
        return node.isArray() ? "an empty array" : JsonBodies.kind(node);
    }
}
