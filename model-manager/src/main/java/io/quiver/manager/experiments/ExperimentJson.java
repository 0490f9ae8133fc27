package io.quiver.manager.experiments;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.json.JsonBodies;
import io.quiver.common.json.WireErrors;
import io.quiver.common.json.WireJson;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The one wire form of an experiment, read from the API, the experiments file and the manager's own
 * store alike: Jackson reads the records below under the service's one policy (unknown fields
 * refused, no scalar changing kind), and {@link Spec#toExperiment} checks what needs the whole
 * experiment to judge, naming whatever is wrong: bad names, weights out of range or summing to 0,
 * duplicate variant names, a default variant that is not one of them.
 */
public final class ExperimentJson {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}");
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9\\-]{0,63}");
    static final int MAX_WEIGHT = 1_000_000;
    /**
     * For the files, which are read outside any request (at start, and by tests that build the
     * store without CDI): the same configuration as the service's mapper.
     */
    private static final ObjectMapper JSON = WireJson.configure(new ObjectMapper());

    private ExperimentJson() {
    }

    /** An experiment as PUT takes it and the files store it: everything but the name, which is the key. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "ExperimentSpec", description = "An experiment: its variants by weight, shadows, and how requests stick")
    public record Spec(
            @Schema(required = true) List<VariantSpec> variants,
            @Schema(description = "variants that get copies of a share of live requests; their answers are only recorded")
            List<ShadowSpec> shadow,
            @Schema(description = "a header whose value keeps a client on its variant", examples = "X-User-Id")
            String stickyHeader,
            @Schema(description = "a top-level body field whose value keeps a client on its variant") String stickyField,
            @Schema(description = "what POST /api/v1/predictions uses; the first variant when absent") String defaultVariant) {

        static Spec of(Experiment experiment) {
            return new Spec(experiment.variants().stream().map(v -> new VariantSpec(v.name(), v.target().modelType(),
                            v.target().modelVersion(), v.target().services(), v.weight())).toList(),
                    experiment.shadows().stream().map(s -> new ShadowSpec(s.name(), s.target().modelType(),
                            s.target().modelVersion(), s.target().services(), s.percent())).toList(),
                    experiment.stickyHeader(), experiment.stickyField(), experiment.defaultVariant());
        }

        /** The experiment {@code name}, or a 400 naming the first thing wrong with it. */
        public Experiment toExperiment(String name) {
            checkName("experiment name", name);
            if (variants == null) {
                throw new BadRequestException("field 'variants' " + WireErrors.REQUIRED);
            }
            if (variants.isEmpty()) {
                throw new BadRequestException("field 'variants' must be a non-empty array, got an empty array");
            }
            Set<String> names = new HashSet<>();
            List<Variant> parsed = new ArrayList<>();
            for (int i = 0; i < variants.size(); i++) {
                VariantSpec v = element("variants", i, variants.get(i));
                String where = "variants[" + i + "]";
                parsed.add(new Variant(unique(where, v.name(), names), target(where, v.modelType(), v.modelVersion(),
                        v.services()), whole(where, "weight", v.weight(), MAX_WEIGHT, null)));
            }
            checkWeights(name, parsed);
            List<Shadow> shadows = new ArrayList<>();
            for (int i = 0; shadow != null && i < shadow.size(); i++) {
                ShadowSpec s = element("shadow", i, shadow.get(i));
                String where = "shadow[" + i + "]";
                shadows.add(new Shadow(unique(where, s.name(), names), target(where, s.modelType(), s.modelVersion(),
                        s.services()), whole(where, "percent", s.percent(), 100, 100)));
            }
            if (stickyHeader != null && !HEADER.matcher(stickyHeader).matches()) {
                throw new BadRequestException("sticky_header '" + stickyHeader + "' is not a header name (letters, "
                        + "digits and '-')");
            }
            if (stickyField != null && (!NAME.matcher(stickyField).matches() || stickyField.equals("features"))) {
                throw new BadRequestException("sticky_field '" + stickyField + "' must be a top-level body field name "
                        + "other than 'features' (letters, digits, '_', '-', '.')");
            }
            List<String> variantNames = parsed.stream().map(Variant::name).toList();
            if (defaultVariant != null && !variantNames.contains(defaultVariant)) {
                throw new BadRequestException("default_variant '" + defaultVariant + "' is not one of the variants "
                        + variantNames);
            }
            return new Experiment(name, parsed, shadows, stickyHeader, stickyField,
                    defaultVariant != null ? defaultVariant : variantNames.get(0));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(description = "An arm of an experiment: where its requests go (a model type, services, or both) and its "
            + "share of the weights")
    public record VariantSpec(@Schema(required = true, examples = "a") String name,
                              @Schema(examples = "house_price") String modelType, String modelVersion,
                              @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> services,
                              @Schema(required = true, minimum = "0", maximum = "1000000", examples = "80") Integer weight) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(description = "A shadow: where copies of live requests go, and the percent of them copied (100 when absent)")
    public record ShadowSpec(@Schema(required = true) String name, String modelType, String modelVersion,
                             @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> services,
                             @Schema(minimum = "0", maximum = "100") Integer percent) {
    }

    /** An experiment as the API answers it: its name, then its stored form. */
    @Schema(name = "Experiment")
    public record View(@Schema(examples = "checkout") String name, @JsonUnwrapped Spec spec) {
        static View of(Experiment experiment) {
            return new View(experiment.name(), Spec.of(experiment));
        }
    }

    @Schema(name = "ExperimentList")
    public record Listing(List<View> experiments) {
    }

    /** The experiments of a file, by name, in the files' form: {@code {"experiments": {"name": {...}}}}. */
    static Map<String, JsonNode> byName(byte[] file) {
        JsonNode experiments = JsonBodies.object(file).path("experiments");
        if (!experiments.isObject()) {
            throw new IllegalStateException("no \"experiments\" object");
        }
        Map<String, JsonNode> byName = new java.util.TreeMap<>();
        experiments.fields().forEachRemaining(entry -> byName.put(entry.getKey(), entry.getValue()));
        return byName;
    }

    /** One experiment of a file, read as the API reads a PUT body. */
    static Experiment read(String name, JsonNode body) {
        try {
            return JSON.treeToValue(body, Spec.class).toExperiment(name);
        } catch (JsonProcessingException e) {
            throw new BadRequestException(WireErrors.describe(e));
        }
    }

    /** The files' form of {@code experiments}, indented for the people who read them. */
    static byte[] write(Map<String, Experiment> experiments) throws JsonProcessingException {
        Map<String, Spec> byName = new java.util.TreeMap<>();
        experiments.forEach((name, experiment) -> byName.put(name, Spec.of(experiment)));
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(Map.of("experiments", byName));
    }

    public static void checkName(String what, String name) {
        if (!NAME.matcher(name).matches()) {
            throw new BadRequestException(what + " '" + name + "' may hold only letters, digits, '_', '-' and '.', "
                    + "start with a letter or digit, and be at most 64 characters");
        }
    }

    /** Weights must leave some traffic somewhere. */
    static void checkWeights(String experiment, List<Variant> variants) {
        long sum = variants.stream().mapToLong(Variant::weight).sum();
        if (sum <= 0) {
            throw new BadRequestException("the weights of experiment '" + experiment + "' sum to 0; at least one "
                    + "variant needs a positive weight");
        }
    }

    /** A whole number in [0, max]; Jackson has already refused 80.5 and "80". */
    static int whole(String where, String field, Integer value, int max, Integer byDefault) {
        if (value == null) {
            if (byDefault != null) {
                return byDefault;
            }
            throw new BadRequestException(where + ": field '" + field + "' " + WireErrors.REQUIRED);
        }
        if (value < 0 || value > max) {
            throw new BadRequestException(where + ": " + field + " must be a whole number from 0 to " + max + ", got "
                    + value);
        }
        return value;
    }

    private static <T> T element(String list, int index, T element) {
        if (element == null) {
            throw new BadRequestException(list + "[" + index + "] must be a JSON object, got null");
        }
        return element;
    }

    /** The element's name, which must be new among {@code names}. */
    private static String unique(String where, String name, Set<String> names) {
        if (name == null) {
            throw new BadRequestException(where + ": field 'name' " + WireErrors.REQUIRED);
        }
        checkName(where + " name", name);
        if (!names.add(name)) {
            throw new BadRequestException(where + ": the name '" + name + "' is used twice; variant and shadow names "
                    + "must be unique");
        }
        return name;
    }

    private static Target target(String where, String modelType, String version, List<String> services) {
        if (modelType != null && modelType.isBlank()) {
            throw new BadRequestException(where + ": model_type must not be empty");
        }
        if (services != null) {
            if (services.isEmpty()) {
                throw new BadRequestException(where + ": services must be a non-empty array of service ids, got an "
                        + "empty array");
            }
            for (String id : services) {
                if (id == null || id.isBlank()) {
                    throw new BadRequestException(where + ": services must hold service ids (strings), got "
                            + (id == null ? "null" : "an empty string"));
                }
            }
        }
        if (modelType == null && (services == null || services.isEmpty())) {
            throw new BadRequestException(where + " needs a model_type, services, or both");
        }
        return new Target(modelType, version, services);
    }
}
