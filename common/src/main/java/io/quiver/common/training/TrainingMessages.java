package io.quiver.common.training;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.common.json.WireErrors;
import jakarta.validation.constraints.NotNull;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Reference document 003's unified training body and the jobs it starts (docs/training.md). The
 * model-server reads and checks the request; the manager passes the bytes on unchanged and shows
 * these shapes in its document.
 */
public final class TrainingMessages {
    private TrainingMessages() {
    }

    @Schema(name = "TrainRequest", description = "What to train, published as model_type")
    public record TrainRequest(
            @NotNull(message = WireErrors.REQUIRED) @Schema(required = true, examples = "demo_prices") String modelType,
            @NotNull(message = WireErrors.REQUIRED) @Schema(required = true) TrainingConfig config) {
    }

    /**
     * The learner and its data. Which fields apply depends on the algorithm, and a field the body
     * does not know is refused naming the fields it takes, so the rest is taken aside for the
     * model-server to judge rather than refused by the mapper's generic message. The fields held as
     * trees take more than one kind (rows or numbers) or are checked against the algorithm, with
     * messages that say what the learner wanted.
     */
    @Schema(name = "TrainingConfig", description = "The learner, its data and its settings; give one of data, data_uri "
            + "and data_source")
    public record TrainingConfig(
            @Schema(required = true, examples = "linear-regression", description = "linear-regression, "
                    + "logistic-regression, factorization-machine or linear-autoregression") String algorithm,
            @Schema(type = SchemaType.ARRAY, description = "inline data: rows of named columns, or the numbers of a "
                    + "series", examples = "[{\"sqft\": 0.8, \"rooms\": 2, \"price\": 150}, "
                    + "{\"sqft\": 1.0, \"rooms\": 3, \"price\": 180}]") JsonNode data,
            @Schema(description = "a CSV or JSON file: a path inside the allowed roots, a file: URI, an http(s) URL "
                    + "or an s3://bucket/key object", examples = "s3://datasets/houses.csv") String dataUri,
            @Schema(description = "rows from a database query rather than a file") DataSource dataSource,
            @Schema(description = "csv or json; for data_uri only, when its name does not tell") String format,
            @Schema(description = "the column to predict, or the column holding a series", examples = "price")
            String target,
            @Schema(description = "the feature columns; every column but the target when absent") List<String> features,
            @Schema(type = SchemaType.INTEGER, description = "forecasters: how many of the last values each "
                    + "forecast reads", examples = "8") JsonNode window,
            @Schema(type = SchemaType.INTEGER, description = "forecasters: how many values each forecast "
                    + "predicts; 1 when absent", examples = "2") JsonNode horizon,
            @Schema(type = SchemaType.OBJECT, description = "the learner's settings, each with a default: epochs, "
                    + "learning_rate, seed, minibatch_size; factors and init_variance for factorization-machine",
                    examples = "{\"epochs\": 50, \"learning_rate\": 0.1}") JsonNode hyperparameters,
            @Schema(description = "the published model's description") String description,
            @Schema(hidden = true) @JsonAnySetter Map<String, JsonNode> unknown) {
        public TrainingConfig {
            unknown = unknown == null ? new LinkedHashMap<>() : unknown;
        }
    }

    /**
     * Training rows from a database query. An object rather than a URI such as
     * {@code influx://host/db?query=...}: a query is full of characters a URI must escape (spaces,
     * quotes, comparison operators, {@code %}), so it travels here as written, and the server's
     * scheme (http or https) is said rather than guessed. Credentials are the server's settings,
     * never part of a request.
     */
    @Schema(name = "TrainingDataSource", description = "A query whose rows are the training rows")
    public record DataSource(
            @Schema(required = true, description = "what answers the query; influxdb (1.x, InfluxQL) is the one known",
                    examples = "influxdb") String type,
            @Schema(description = "the database server's base URL; quiver.training.influxdb.url when absent",
                    examples = "http://influxdb:8086") String url,
            @Schema(required = true, description = "the database the query reads", examples = "sensors") String database,
            @Schema(required = true, description = "one SELECT statement; its columns are the data's columns, the "
                    + "time column only when target or features name it",
                    examples = "SELECT sqft, rooms, price FROM houses WHERE time > now() - 30d") String query) {
    }

    /** A job as it is queued, listed, followed and cancelled. */
    @Schema(name = "TrainingJob", description = "A training job and, once it has run, its evaluation and version")
    public record Job(
            @Schema(examples = "d1f15f43-edb6-47c3-8647-04c30f04919c") String jobId,
            @Schema(examples = "demo_prices") String modelType,
            @Schema(examples = "linear-regression") String algorithm,
            @Schema(description = "queued, running, then succeeded, failed or cancelled", examples = "succeeded")
            String state,
            @Schema(description = "0 to 1: training is 90% of it, scoring and publishing the rest") double progress,
            @Schema(description = "epochs completed") int epoch,
            @Schema(description = "epochs asked for") int epochs,
            @Schema(description = "the settings in effect, defaults filled in") Map<String, Object> hyperparameters,
            @Schema(description = "where the data came from: inline data, a path, a URL, an s3:// object or a "
                    + "query", examples = "inline data")
            String data,
            @Schema(description = "held-out evaluation, once scored") Map<String, Object> metrics,
            @JsonInclude(JsonInclude.Include.NON_NULL)
            @Schema(description = "the published version, once succeeded", examples = "1") String version,
            @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(description = "why the job failed") String error,
            @JsonInclude(JsonInclude.Include.NON_NULL)
            @Schema(description = "true while a running job is asked to stop and has not yet") Boolean cancelRequested,
            String submittedAt,
            // Present as null until the job starts and ends, as clients read them.
            @JsonInclude(JsonInclude.Include.ALWAYS) String startedAt,
            @JsonInclude(JsonInclude.Include.ALWAYS) String finishedAt) {
    }

    @Schema(name = "TrainingJobList")
    public record JobList(List<Job> jobs) {
    }
}
