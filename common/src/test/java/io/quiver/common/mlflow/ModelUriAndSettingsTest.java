package io.quiver.common.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.common.error.ApiException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The model URIs MLflow users write, and the MLflow variables a process set up for MLflow already has. */
class ModelUriAndSettingsTest {

    @Test
    void versionsAliasesAndLatestAreTaken() {
        assertEquals(new ModelUri("churn", Optional.of("3"), Optional.empty()), ModelUri.parse("models:/churn/3"));
        assertEquals(new ModelUri("churn", Optional.empty(), Optional.of("champion")), ModelUri.parse("models:/churn@champion"));
        assertEquals(new ModelUri("churn", Optional.of("latest"), Optional.empty()), ModelUri.parse("models:/churn/latest"));
        assertEquals(new ModelUri("churn model", Optional.of("12"), Optional.empty()), ModelUri.parse("models:///churn model/12"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"models:/churn", "models:/churn/Production", "models:/churn/", "models:/churn@",
            "models:/@champion", "models:/churn/3@champion", "runs:/abc/model"})
    void otherFormsAreRefusedNamingTheOnesTaken(String uri) {
        ApiException refused = assertThrows(ApiException.class, () -> ModelUri.parse(uri));
        assertEquals(400, refused.status());
        assertTrue(refused.getMessage().contains("models:/<name>/<version>"), refused.getMessage());
    }

    @Test
    void settingsLeftOutComeFromMlflowsVariablesAndATokenWinsOverBasicAuth() {
        MlflowSettings none = new MlflowSettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Duration.ofSeconds(5));
        MlflowSettings fromEnv = none.withDefaultsFrom(Map.of("MLFLOW_TRACKING_URI", "http://mlflow:5000",
                "MLFLOW_TRACKING_USERNAME", "ann", "MLFLOW_TRACKING_PASSWORD", "pw"));
        assertEquals(Optional.of(URI.create("http://mlflow:5000")), fromEnv.trackingUri());
        assertEquals(Optional.of("Basic YW5uOnB3"), fromEnv.authorization());

        MlflowSettings withToken = new MlflowSettings(Optional.of(URI.create("https://user:secret@mlflow.example/")),
                Optional.of("tok-51x"), Optional.empty(), Optional.empty(), Duration.ofSeconds(5))
                .withDefaultsFrom(Map.of("MLFLOW_TRACKING_USERNAME", "ann", "MLFLOW_TRACKING_PASSWORD", "pw"));
        assertEquals(Optional.of("Bearer tok-51x"), withToken.authorization());
        assertFalse(withToken.toString().contains("secret") || withToken.toString().contains("tok-51x"), withToken.toString());
        assertEquals("MLflow tracking server https://mlflow.example/", withToken.describe());
    }
}
