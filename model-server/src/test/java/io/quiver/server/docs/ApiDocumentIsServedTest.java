package io.quiver.server.docs;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document is written at build time and served as a file: it must be there, describe
 * the APIs this server answers, and be what Swagger UI shows.
 */
@QuarkusTest
class ApiDocumentIsServedTest {

    @Test
    void openApiDocumentDescribesTheServedApis() {
        given().get("/openapi.json").then()
                .statusCode(200)
                .contentType(startsWith("application/json"))
                .body("info.title", equalTo("Quiver model-server"))
                .body("paths", hasKey("/v2/models/{name}/infer"))
                .body("paths", hasKey("/v2/models/{name}/versions/{version}/infer"))
                .body("paths", hasKey("/predict"))
                .body("paths", hasKey("/v1/models/load"))
                .body("paths", hasKey("/train"))
                .body("paths.'/v2/models/{name}/infer'", hasKey("post"));
    }

    @Test
    void swaggerUiShowsThatDocument() {
        given().get("/docs/").then()
                .statusCode(200)
                .contentType(startsWith("text/html"))
                .body(containsString("/openapi.json"));
    }
}
