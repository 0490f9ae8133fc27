package io.quiver.server.repository;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.MlflowStandIn;
import io.quiver.examples.ReferenceModels;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.MlflowRegistry;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code models:/} locations resolved through an MLflow tracking server's REST API and fetched
 * through its artifact proxy. The server is {@link io.quiver.examples.MlflowStandIn}, a stand-in
 * serving the shapes MLflow's REST API documents, because no real MLflow server can run here (it is
 * a Python package and no Python package index is reachable).
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
@WithTestResource(MlflowRegistry.class)
class ModelsFromMlflowTest {
    /** Rows named in another order than the signature's, which sorting by name would also not give. */
    private static final Map<String, Object> ROW = Map.of("age", 10, "sqft", 1.2, "rooms", 3);
    private static final double[] ROW_IN_SIGNATURE_ORDER = {1.2, 3, 10};

    @Test
    void aRegistryVersionIsFetchedWithItsMLmodelAndTakesRowsByTheSignaturesColumns() {
        load("mlflow_v1", null, "models:/" + MlflowRegistry.MODEL + "/1").statusCode(200)
                .body("versions", equalTo(List.of("1")));
        assertTrue(Files.isRegularFile(ExampleRepository.root().resolve("mlflow_v1/1/model.onnx")));
        assertTrue(Files.isRegularFile(ExampleRepository.root().resolve("mlflow_v1/1/MLmodel")));

        assertPrice("mlflow_v1", ReferenceModels.housePrice(1, ROW_IN_SIGNATURE_ORDER)[0]);
        given().contentType(ContentType.JSON).body(Map.of("model_type", "mlflow_v1", "data", List.of(Map.of("sqft", 1))))
                .post("/predict").then().statusCode(400).body("error", containsString("missing feature 'rooms'"));
        given().delete("/models/mlflow_v1").then().statusCode(200);
    }

    @Test
    void anAliasLoadsTheVersionItPointsAtUnderItsNumber() {
        load("mlflow_champion", null, "models:/" + MlflowRegistry.MODEL + "@champion").statusCode(200)
                .body("versions", equalTo(List.of("2")));
        assertPrice("mlflow_champion", ReferenceModels.housePrice(2, ROW_IN_SIGNATURE_ORDER)[0]);
        given().delete("/models/mlflow_champion").then().statusCode(200);

        load("mlflow_latest", "7", "models:/" + MlflowRegistry.MODEL + "/latest").statusCode(200)
                .body("versions", equalTo(List.of("7")));
        assertPrice("mlflow_latest", ReferenceModels.housePrice(2, ROW_IN_SIGNATURE_ORDER)[0]);
        given().delete("/models/mlflow_latest").then().statusCode(200);
    }

    @Test
    void documentFoursRegistrationTakesAModelUriToo() {
        given().contentType(ContentType.JSON)
                .body(Map.of("model_name", "mlflow_mms", "url", "models:/" + MlflowRegistry.MODEL + "@champion"))
                .post("/models").then().statusCode(200);
        assertPrice("mlflow_mms", ReferenceModels.housePrice(2, ROW_IN_SIGNATURE_ORDER)[0]);
        given().delete("/models/mlflow_mms").then().statusCode(200);
    }

    @Test
    void whatTheRegistryDoesNotHaveIs404NamingIt() {
        load("mlflow_missing", null, "models:/no_such_model/1").statusCode(404)
                .body("error", allOf(containsString("'no_such_model'"), containsString("MLflow tracking server")));
        load("mlflow_missing", null, "models:/" + MlflowRegistry.MODEL + "/9").statusCode(404)
                .body("error", containsString("version 9 of model '" + MlflowRegistry.MODEL + "'"));
        load("mlflow_missing", null, "models:/" + MlflowRegistry.MODEL + "@nobody").statusCode(404)
                .body("error", containsString("alias 'nobody'"));
        assertFalse(Files.exists(ExampleRepository.root().resolve("mlflow_missing")));
    }

    @Test
    void aMalformedModelUriIs400NamingTheForms() {
        load("mlflow_bad", null, "models:/" + MlflowRegistry.MODEL + "/Production").statusCode(400)
                .body("error", containsString("models:/<name>/<version>"));
        load("mlflow_bad", null, "models:/" + MlflowRegistry.MODEL).statusCode(400);
    }

    @Test
    void refusedCredentialsAreABadGatewayThatDoesNotShowTheSecret() {
        try {
            MlflowRegistry.server().requireAuthorization("Bearer another-token");
            load("mlflow_refused", null, "models:/" + MlflowRegistry.MODEL + "/1").statusCode(502)
                    .body("error", allOf(containsString("refused"), containsString("MLFLOW_TRACKING_TOKEN"),
                            containsString("401"), not(containsString(MlflowRegistry.TOKEN))));
            MlflowRegistry.server().requireAuthorization("Bearer " + MlflowRegistry.TOKEN).forbidden(true);
            load("mlflow_refused", null, "models:/" + MlflowRegistry.MODEL + "/1").statusCode(502)
                    .body("error", allOf(containsString("403"), not(containsString(MlflowRegistry.TOKEN))));
        } finally {
            MlflowRegistry.server().requireAuthorization("Bearer " + MlflowRegistry.TOKEN).forbidden(false);
        }
    }

    @Test
    void aTrackingServerThatIsDownIsABadGatewayNamingIt() {
        MlflowRegistry.server().stop();
        try {
            load("mlflow_down", null, "models:/" + MlflowRegistry.MODEL + "/1").statusCode(502)
                    .body("error", allOf(containsString("MLflow tracking server " + MlflowRegistry.server().url()),
                            containsString("cannot be reached")));
        } finally {
            MlflowRegistry.server().restart();
        }
        load("mlflow_down", null, "models:/" + MlflowRegistry.MODEL + "/1").statusCode(200);
        given().delete("/models/mlflow_down").then().statusCode(200);
    }

    @Test
    void aMalformedMLmodelFailsTheLoadNamingTheFileAndPlacesNothing() {
        load("mlflow_broken", null, "models:/" + MlflowRegistry.BROKEN + "/1").statusCode(400)
                .body("error", allOf(containsString("mlflow-artifacts:/1/run3/artifacts/model/MLmodel"),
                        containsString("no onnx flavour"), containsString("sklearn")));
        assertFalse(Files.exists(ExampleRepository.root().resolve("mlflow_broken/1/model.onnx")));
    }

    @Test
    void aSignatureTheModelCannotTakeFailsTheLoadNamingIt() {
        load("mlflow_misfit", null, "models:/" + MlflowRegistry.MISFIT + "/1").statusCode(400)
                .body("error", allOf(containsString("MLmodel"), containsString("2 columns"), containsString("takes 3")));
        given().get("/v2/models/mlflow_misfit").then().statusCode(404);
    }

    @Test
    void anMlflowModelDirectoryOnDiskIsServedByItsSignature() throws Exception {
        // The artifacts are outside the allowed roots; a copy inside them is what a local path may name.
        java.nio.file.Path copy = ExampleRepository.extraRoot().resolve("mlflow-dir");
        Files.createDirectories(copy);
        for (String file : List.of("MLmodel", "model.onnx")) {
            Files.copy(MlflowRegistry.artifacts().resolve("1/run1/artifacts/model").resolve(file), copy.resolve(file),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        load("mlflow_local", null, copy.toString()).statusCode(200);
        assertPrice("mlflow_local", ReferenceModels.housePrice(1, ROW_IN_SIGNATURE_ORDER)[0]);
        given().delete("/models/mlflow_local").then().statusCode(200);
    }

    @Test
    void aTensorSignatureIsCheckedAgainstTheModelsInputTypeAndShape() throws Exception {
        byte[] onnx = Files.readAllBytes(MlflowRegistry.artifacts().resolve("1/run1/artifacts/model/model.onnx"));
        java.nio.file.Path fits = ExampleRepository.extraRoot().resolve("mlflow-tensor");
        MlflowStandIn.writeModel(fits, onnx, "[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float32\", \"shape\": [-1, 3]}}]");
        load("mlflow_tensor", null, fits.toString()).statusCode(200);
        given().contentType(ContentType.JSON).body(Map.of("model_type", "mlflow_tensor", "data", List.of(List.of(1.2, 3, 10))))
                .post("/predict").then().statusCode(200);
        given().delete("/models/mlflow_tensor").then().statusCode(200);

        java.nio.file.Path doubles = ExampleRepository.extraRoot().resolve("mlflow-tensor-float64");
        MlflowStandIn.writeModel(doubles, onnx, "[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float64\", \"shape\": [-1, 3]}}]");
        load("mlflow_tensor_bad", null, doubles.toString()).statusCode(400)
                .body("error", allOf(containsString("MLmodel"), containsString("float64"), containsString("FP32")));
        java.nio.file.Path wide = ExampleRepository.extraRoot().resolve("mlflow-tensor-wide");
        MlflowStandIn.writeModel(wide, onnx, "[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float32\", \"shape\": [-1, 5]}}]");
        load("mlflow_tensor_bad", null, wide.toString()).statusCode(400)
                .body("error", allOf(containsString("[-1, 5]"), containsString("[?, 3]")));
    }

    private static ValidatableResponse load(String name, String version, String uri) {
        Map<String, String> body = version == null ? Map.of("model_id", name, "registry_uri", uri)
                : Map.of("model_id", name, "version", version, "registry_uri", uri);
        return given().contentType(ContentType.JSON).body(body).post("/v1/models/load").then();
    }

    private static void assertPrice(String model, double expected) {
        float price = given().contentType(ContentType.JSON)
                .body(Map.of("model_type", model, "data", List.of(ROW)))
                .post("/predict").then().statusCode(200).extract().path("predictions[0]");
        ModelLifecycleTest.assertClose(expected, price);
    }
}
