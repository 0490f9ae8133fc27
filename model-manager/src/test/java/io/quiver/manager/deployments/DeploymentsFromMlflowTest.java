package io.quiver.manager.deployments;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.manager.testing.MlflowTrackingServer;
import io.quiver.manager.testing.TempDataDir;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reference document 000's listing with an MLflow tracking server as the registry
 * ({@code quiver.manager.deployments.registry=mlflow}), read through MLflow's REST API. The server
 * is a stand-in ({@link io.quiver.examples.MlflowStandIn}) serving the shapes MLflow documents,
 * because no real MLflow can run here: it is a Python package and no Python package index is
 * reachable.
 */
@QuarkusTest
@WithTestResource(TempDataDir.class)
@WithTestResource(MlflowTrackingServer.class)
class DeploymentsFromMlflowTest {

    @Test
    void theModelListIsTheRegistrysAcrossItsPages() {
        given().get("/get_model_list").then().statusCode(200)
                .body("registry", equalTo("MLflow tracking server " + MlflowTrackingServer.server().url()))
                // "no versions yet" cannot be a deployment's name, so it is not offered.
                .body("models", equalTo(List.of("churn", "fraud", "house_price", "zeta")));
        assertTrue(MlflowTrackingServer.server().requests().stream()
                .anyMatch(r -> r.startsWith("/api/2.0/mlflow/registered-models/search") && r.contains("page_token=")),
                "the second page was asked for: " + MlflowTrackingServer.server().requests());
    }

    @Test
    void versionsAreListedOldestFirstWithoutThoseStillRegistering() {
        given().get("/get_model_version_list/churn").then().statusCode(200)
                .body("model_name", equalTo("churn"))
                .body("versions", equalTo(List.of("1", "2", "10")));
    }

    @Test
    void whatTheRegistryDoesNotHaveIsNotFound() {
        given().get("/get_model_version_list/no_such_model").then().statusCode(404)
                .body("error", allOf(containsString("'no_such_model'"), containsString("MLflow tracking server")));
        given().post("/deploy/churn/9").then().statusCode(404)
                .body("error", containsString("version 9 of model 'churn'"));
        given().post("/deploy/churn/3").then().statusCode(404)
                .body("error", allOf(containsString("PENDING_REGISTRATION"), containsString("/get_model_version_list/churn")));
    }

    @Test
    void refusedCredentialsAreABadGatewayThatDoesNotShowThePassword() {
        try {
            MlflowTrackingServer.server().requireAuthorization(MlflowTrackingServer.basic("someone", "else"));
            given().get("/get_model_list").then().statusCode(502)
                    .body("error", allOf(containsString("refused user '" + MlflowTrackingServer.USER + "'"),
                            containsString("401"), not(containsString(MlflowTrackingServer.PASSWORD))));
            MlflowTrackingServer.server()
                    .requireAuthorization(MlflowTrackingServer.basic(MlflowTrackingServer.USER, MlflowTrackingServer.PASSWORD))
                    .forbidden(true);
            given().get("/get_model_version_list/churn").then().statusCode(502)
                    .body("error", allOf(containsString("403"), not(containsString(MlflowTrackingServer.PASSWORD))));
        } finally {
            MlflowTrackingServer.server()
                    .requireAuthorization(MlflowTrackingServer.basic(MlflowTrackingServer.USER, MlflowTrackingServer.PASSWORD))
                    .forbidden(false);
        }
    }

    @Test
    void aTrackingServerThatIsDownIsABadGatewayNamingIt() {
        MlflowTrackingServer.server().stop();
        try {
            given().get("/get_model_list").then().statusCode(502)
                    .body("error", allOf(containsString("MLflow tracking server " + MlflowTrackingServer.server().url()),
                            containsString("cannot be reached")));
            given().post("/deploy/churn/1").then().statusCode(502).body("error", containsString("cannot be reached"));
        } finally {
            MlflowTrackingServer.server().restart();
        }
        given().get("/get_model_version_list/zeta").then().statusCode(200).body("versions", equalTo(List.of("4")));
    }
}
