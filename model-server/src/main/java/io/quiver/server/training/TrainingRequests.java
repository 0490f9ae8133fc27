package io.quiver.server.training;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.json.JsonBodies;
import io.quiver.server.config.ServerConfig;
import io.quiver.server.repository.PathGuard;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Reads the body of {@code POST /train}, {@code {"model_type", "config": {...}}}. Everything that
 * can be checked before the job runs is checked here, so that a bad request is a 400 naming the
 * problem rather than a failed job: inline data and local files are read and checked in full.
 */
@ApplicationScoped
public class TrainingRequests {
    static final List<String> CONFIG_FIELDS = List.of("algorithm", "data", "data_uri", "format", "target", "features",
            "window", "horizon", "hyperparameters", "description");
    static final int MAX_WINDOW = 10_000;
    static final int MAX_HORIZON = 1_000;

    private final TrainingDataSources sources;
    private final TrainingLimits limits;

    TrainingRequests(TrainingDataSources sources, ServerConfig config) {
        this.sources = sources;
        this.limits = new TrainingLimits(config.training().maxRows(), config.training().maxCells());
    }

    TrainingRequest parse(JsonNode body) {
        String modelType = PathGuard.checkName("model_type", JsonBodies.text(body, "model_type"));
        JsonNode config = JsonBodies.required(body, "config");
        if (!config.isObject()) {
            throw new BadRequestException("field 'config' must be an object, got " + JsonBodies.kind(config));
        }
        rejectUnknown(config);
        String algorithmName = optionalText(config, "algorithm");
        if (algorithmName == null) {
            throw new BadRequestException("config.algorithm is required; known: " + String.join(", ", Algorithm.known()));
        }
        Algorithm algorithm = Algorithm.named(algorithmName);
        Hyperparameters hyperparameters = Hyperparameters.parse(config.get("hyperparameters"), algorithm);
        DataSpec spec = spec(config, algorithm, limits);
        String format = format(config);
        String description = optionalText(config, "description");

        JsonNode inline = config.get("data");
        String uri = optionalText(config, "data_uri");
        boolean hasInline = inline != null && !inline.isNull();
        if (hasInline && uri != null) {
            throw new BadRequestException("give config.data or config.data_uri, not both");
        }
        if (hasInline) {
            if (format != null) {
                throw new BadRequestException("config.format applies to config.data_uri only");
            }
            TrainingData data = spec.prepare(Table.fromJson(inline, "config.data", limits));
            return new TrainingRequest(modelType, algorithm, hyperparameters, description, "inline data", () -> data, spec);
        }
        if (uri == null) {
            throw new BadRequestException("config.data (a list of rows, or of numbers for a series) or config.data_uri "
                    + "(a CSV or JSON file: a path inside the allowed roots, or an http(s) URL) is required");
        }
        TrainingDataSources.Location location = sources.locate(uri);
        if (location instanceof TrainingDataSources.Local) {
            TrainingData data = spec.prepare(Table.fromBytes(sources.read(location), format, uri, limits));
            return new TrainingRequest(modelType, algorithm, hyperparameters, description, uri, () -> data, spec);
        }
        return new TrainingRequest(modelType, algorithm, hyperparameters, description, uri,
                () -> spec.prepare(Table.fromBytes(sources.read(location), format, uri, limits)), spec);
    }

    private static DataSpec spec(JsonNode config, Algorithm algorithm, TrainingLimits limits) {
        String target = optionalText(config, "target");
        List<String> features = null;
        JsonNode given = config.get("features");
        if (given != null && !given.isNull()) {
            if (!given.isArray()) {
                throw new BadRequestException("config.features must be a list of column names, got " + JsonBodies.kind(given));
            }
            features = new ArrayList<>();
            for (JsonNode name : given) {
                if (!name.isTextual()) {
                    throw new BadRequestException("config.features must hold column names (strings), got " + name);
                }
                features.add(name.textValue());
            }
        }
        boolean forecast = algorithm.task() == Task.FORECAST;
        if (!forecast) {
            for (String field : List.of("window", "horizon")) {
                if (config.hasNonNull(field)) {
                    throw new BadRequestException("config." + field + " applies to series forecasters ("
                            + Algorithm.LINEAR_AUTOREGRESSION.wireName() + "), not to " + algorithm.wireName());
                }
            }
            return new DataSpec(algorithm, target, features, 0, 0, limits);
        }
        if (!config.hasNonNull("window")) {
            throw new BadRequestException("config.window is required for " + algorithm.wireName()
                    + ": how many of the last values each forecast reads");
        }
        int window = count(config, "window", MAX_WINDOW);
        int horizon = config.hasNonNull("horizon") ? count(config, "horizon", MAX_HORIZON) : 1;
        return new DataSpec(algorithm, target, features, window, horizon, limits);
    }

    private static int count(JsonNode config, String field, int max) {
        JsonNode v = config.get(field);
        if (!v.isIntegralNumber()) {
            throw new BadRequestException("config." + field + " must be an integer, got " + v);
        }
        if (!v.canConvertToInt() || v.intValue() < 1 || v.intValue() > max) {
            throw new BadRequestException("config." + field + " must be between 1 and " + max + ", got " + v);
        }
        return v.intValue();
    }

    private static String format(JsonNode config) {
        String format = optionalText(config, "format");
        if (format == null) {
            return null;
        }
        String lower = format.toLowerCase(Locale.ROOT);
        if (!lower.equals("csv") && !lower.equals("json")) {
            throw new BadRequestException("config.format must be 'csv' or 'json', got '" + Algorithm.abbreviate(format) + "'");
        }
        return lower;
    }

    private static void rejectUnknown(JsonNode config) {
        Iterator<String> names = config.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!CONFIG_FIELDS.contains(name)) {
                throw new BadRequestException("config has unknown field '" + Algorithm.abbreviate(name) + "'; it takes "
                        + CONFIG_FIELDS);
            }
        }
    }

    private static String optionalText(JsonNode config, String field) {
        JsonNode value = config.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new BadRequestException("config." + field + " must be a string, got " + JsonBodies.kind(value));
        }
        return value.textValue();
    }
}
