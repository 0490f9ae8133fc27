package io.quiver.server.training;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.training.TrainingMessages.TrainRequest;
import io.quiver.common.training.TrainingMessages.TrainingConfig;
import io.quiver.server.config.ServerConfig;
import io.quiver.server.repository.PathGuard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Locale;

/**
 * Checks the body of {@code POST /train}, {@code {"model_type", "config": {...}}}. Everything that
 * can be checked before the job runs is checked here, so that a bad request is a 400 naming the
 * problem rather than a failed job: inline data and local files are read and checked in full.
 */
@ApplicationScoped
public class TrainingRequests {
    static final List<String> CONFIG_FIELDS = List.of("algorithm", "data", "data_uri", "data_source", "format", "target",
            "features", "window", "horizon", "hyperparameters", "description");
    static final int MAX_WINDOW = 10_000;
    static final int MAX_HORIZON = 1_000;

    private final TrainingDataSources sources;
    private final InfluxQueries influx;
    private final TrainingLimits limits;

    @Inject
    TrainingRequests(TrainingDataSources sources, InfluxQueries influx, ServerConfig config) {
        this(sources, influx, new TrainingLimits(config.training().maxRows(), config.training().maxCells()));
    }

    /** With the limits given rather than configured: the fuzz tests check bodies without a server. */
    TrainingRequests(TrainingDataSources sources, InfluxQueries influx, TrainingLimits limits) {
        this.sources = sources;
        this.influx = influx;
        this.limits = limits;
    }

    TrainingRequest parse(TrainRequest body) {
        String modelType = PathGuard.checkName("model_type", body.modelType());
        TrainingConfig config = body.config();
        rejectUnknown(config);
        if (config.algorithm() == null) {
            throw new BadRequestException("config.algorithm is required; known: " + String.join(", ", Algorithm.known()));
        }
        Algorithm algorithm = Algorithm.named(config.algorithm());
        Hyperparameters hyperparameters = Hyperparameters.parse(config.hyperparameters(), algorithm);
        DataSpec spec = spec(config, algorithm, limits);
        String format = format(config.format());
        String description = config.description();

        JsonNode inline = config.data();
        String uri = config.dataUri();
        boolean hasInline = given(inline);
        if ((hasInline ? 1 : 0) + (uri != null ? 1 : 0) + (config.dataSource() != null ? 1 : 0) > 1) {
            throw new BadRequestException("give one of config.data, config.data_uri and config.data_source");
        }
        if (config.dataSource() != null) {
            if (format != null) {
                throw new BadRequestException("config.format applies to config.data_uri only");
            }
            InfluxQueries.Query query = influx.check(config.dataSource());
            boolean keepTime = InfluxResults.TIME.equals(spec.target())
                    || spec.features() != null && spec.features().contains(InfluxResults.TIME);
            TrainingData data = spec.prepare(influx.run(query, keepTime, limits));
            return new TrainingRequest(modelType, algorithm, hyperparameters, description, query.shown(), () -> data, spec);
        }
        if (hasInline) {
            if (format != null) {
                throw new BadRequestException("config.format applies to config.data_uri only");
            }
            TrainingData data = spec.prepare(Table.fromJson(inline, "config.data", limits));
            return new TrainingRequest(modelType, algorithm, hyperparameters, description, "inline data", () -> data, spec);
        }
        if (uri == null) {
            throw new BadRequestException("config.data (a list of rows, or of numbers for a series), config.data_uri "
                    + "(a CSV or JSON file: a path inside the allowed roots, an http(s) URL or an s3://bucket/key object) "
                    + "or config.data_source (an InfluxDB query) is required");
        }
        TrainingDataSources.Location location = sources.locate(uri);
        if (location instanceof TrainingDataSources.Local) {
            TrainingData data = spec.prepare(Table.fromBytes(sources.read(location), format, uri, limits));
            return new TrainingRequest(modelType, algorithm, hyperparameters, description, uri, () -> data, spec);
        }
        return new TrainingRequest(modelType, algorithm, hyperparameters, description, uri,
                () -> spec.prepare(Table.fromBytes(sources.read(location), format, uri, limits)), spec);
    }

    /** A field held as a tree was given: present and not null. */
    private static boolean given(JsonNode value) {
        return value != null && !value.isNull();
    }

    private static DataSpec spec(TrainingConfig config, Algorithm algorithm, TrainingLimits limits) {
        String target = config.target();
        List<String> features = config.features();
        if (features != null && features.contains(null)) {
            throw new BadRequestException("config.features must hold column names (strings), got null");
        }
        boolean forecast = algorithm.task() == Task.FORECAST;
        if (!forecast) {
            String given = given(config.window()) ? "window" : given(config.horizon()) ? "horizon" : null;
            if (given != null) {
                throw new BadRequestException("config." + given + " applies to series forecasters ("
                        + Algorithm.LINEAR_AUTOREGRESSION.wireName() + "), not to " + algorithm.wireName());
            }
            return new DataSpec(algorithm, target, features, 0, 0, limits);
        }
        if (!given(config.window())) {
            throw new BadRequestException("config.window is required for " + algorithm.wireName()
                    + ": how many of the last values each forecast reads");
        }
        int window = count(config.window(), "window", MAX_WINDOW);
        int horizon = given(config.horizon()) ? count(config.horizon(), "horizon", MAX_HORIZON) : 1;
        return new DataSpec(algorithm, target, features, window, horizon, limits);
    }

    private static int count(JsonNode v, String field, int max) {
        if (!v.isIntegralNumber()) {
            throw new BadRequestException("config." + field + " must be an integer, got " + v);
        }
        if (!v.canConvertToInt() || v.intValue() < 1 || v.intValue() > max) {
            throw new BadRequestException("config." + field + " must be between 1 and " + max + ", got " + v);
        }
        return v.intValue();
    }

    private static String format(String format) {
        if (format == null) {
            return null;
        }
        String lower = format.toLowerCase(Locale.ROOT);
        if (!lower.equals("csv") && !lower.equals("json")) {
            throw new BadRequestException("config.format must be 'csv' or 'json', got '" + Algorithm.abbreviate(format) + "'");
        }
        return lower;
    }

    private static void rejectUnknown(TrainingConfig config) {
        config.unknown().keySet().stream().findFirst().ifPresent(name -> {
            throw new BadRequestException("config has unknown field '" + Algorithm.abbreviate(name) + "'; it takes "
                    + CONFIG_FIELDS);
        });
    }
}
