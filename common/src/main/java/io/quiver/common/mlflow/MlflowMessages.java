package io.quiver.common.mlflow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * The answers of MLflow's model registry API 2.0 that Quiver reads, as {@code model_registry.proto}
 * defines them; fields Quiver does not use are left out, and fields a newer server adds are ignored.
 */
@RegisterForReflection(ignoreNested = false)
public final class MlflowMessages {
    private MlflowMessages() {
    }

    /** {@code GET registered-models/search}: one page of models. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RegisteredModels(@JsonProperty("registered_models") List<RegisteredModel> registeredModels,
                                   @JsonProperty("next_page_token") String nextPageToken) {
        public RegisteredModels {
            registeredModels = registeredModels == null ? List.of() : registeredModels;
        }
    }

    /** {@code GET registered-models/get}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RegisteredModelAnswer(@JsonProperty("registered_model") RegisteredModel registeredModel) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RegisteredModel(String name, @JsonProperty("latest_versions") List<ModelVersion> latestVersions) {
    }

    /** {@code GET model-versions/search}: one page of versions. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ModelVersions(@JsonProperty("model_versions") List<ModelVersion> modelVersions,
                                @JsonProperty("next_page_token") String nextPageToken) {
        public ModelVersions {
            modelVersions = modelVersions == null ? List.of() : modelVersions;
        }
    }

    /** {@code GET model-versions/get} and {@code GET registered-models/alias}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ModelVersionAnswer(@JsonProperty("model_version") ModelVersion modelVersion) {
    }

    /**
     * @param source where the version was registered from (often a {@code runs:/} URI)
     * @param status {@code READY}, {@code PENDING_REGISTRATION} or {@code FAILED_REGISTRATION}
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ModelVersion(String name, String version, String source, @JsonProperty("run_id") String runId,
                               String status, @JsonProperty("current_stage") String currentStage,
                               List<String> aliases) {
        public static final String READY = "READY";

        /** Servers before MLflow 1.x's status field have none: such a version is taken as ready. */
        public boolean ready() {
            return status == null || READY.equals(status);
        }
    }

    /** {@code GET model-versions/get-download-uri}: where the version's files are. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record DownloadUri(@JsonProperty("artifact_uri") String artifactUri) {
    }

    /** MLflow's error answer, {@code {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "..."}}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ErrorAnswer(@JsonProperty("error_code") String errorCode, String message) {
    }
}
