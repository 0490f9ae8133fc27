package io.quiver.manager.deployments;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.manager.testing.TempDataDir;
import org.junit.jupiter.api.Test;

/**
 * What the deployment API answers when it cannot do what is asked, with no process started: here
 * the model repository (the default {@code models}, relative to the test's directory) does not
 * exist, which is a registry that cannot be reached. {@code MeshDeploymentsIT} has the rest, with
 * real model-servers.
 */
@QuarkusTest
@WithTestResource(TempDataDir.class)
class DeploymentRequestsRefusedTest {

    @Test
    void aRepositoryThatCannotBeReadIsABadGatewayNamingIt() {
        given().get("/get_model_list").then().statusCode(502)
                .body("error", containsString("model repository"))
                .body("error", containsString("no such directory"));
        given().post("/deploy/house_price/1").then().statusCode(502).body("error", containsString("model repository"));
    }

    @Test
    void aNameThatIsNotModelDashVersionIsABadRequest() {
        given().post("/undeploy/house_price").then().statusCode(400)
                .body("error", containsString("'house_price' is not <model_name>-<version>"));
        given().post("/undeploy/-1").then().statusCode(400);
        given().post("/deploy/.hidden/1").then().statusCode(400).body("error", containsString("'.hidden'"));
        given().post("/deploy/house_price/1-beta").then().statusCode(400).body("error", containsString("'-'"));
    }

    @Test
    void whatIsNotDeployedIsNotFound() {
        given().post("/undeploy/house_price-1").then().statusCode(404)
                .body("error", containsString("no deployment 'house_price-1'"));
        given().body("{\"data\": [1, 2, 3]}").post("/house_price-1/invocations").then().statusCode(404)
                .body("error", containsString("POST /deploy/house_price/1 deploys it"));
        given().get("/house_price-1/").then().statusCode(404);
        given().get("/get_deployed_models").then().statusCode(200).body("deployments.size()", org.hamcrest.Matchers.is(0));
    }
}
