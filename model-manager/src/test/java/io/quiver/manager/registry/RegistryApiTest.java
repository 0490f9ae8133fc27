package io.quiver.manager.registry;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.manager.testing.TempDataDir;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
@WithTestResource(TempDataDir.class)
class RegistryApiTest {

    @Test
    void theServicesFilePreloadsTheRegistry() {
        given().get("/services").then().statusCode(200)
                .body("services.service_id", hasItems("lstm_model", "lstm_multistep_model"));
        given().get("/services/lstm_multistep_model").then().statusCode(200)
                .body("model_type", equalTo("LSTM_MULTISTEP"))
                .body("max_concurrent_requests", equalTo(3))
                .body("capabilities", equalTo(List.of("training", "multistep_prediction")));
    }

    @Test
    void registeringCreatesThenUpdatesAndDeleteRemoves() {
        Map<String, Object> body = Map.of("service_id", "api_service", "service_url", "http://127.0.0.1:9/",
                "model_type", "regression", "capabilities", List.of("prediction"), "max_concurrent_requests", 4);
        given().contentType(ContentType.JSON).body(body).post("/services/register").then().statusCode(201)
                .body("service_url", equalTo("http://127.0.0.1:9"))
                .body("health.state", notNullValue());
        given().contentType(ContentType.JSON).body(Map.of("service_id", "api_service",
                        "service_url", "http://127.0.0.1:9", "model_type", "regression", "weight", 0))
                .post("/services/register").then().statusCode(200).body("weight", equalTo(0));
        given().get("/services/api_service/health").then().statusCode(200)
                .body("service_id", equalTo("api_service")).body("state", notNullValue());
        given().delete("/services/api_service").then().statusCode(200);
        given().get("/services").then().body("services.service_id", not(hasItem("api_service")));
        given().delete("/services/api_service").then().statusCode(404).body("error", containsString("api_service"));
        given().get("/services/api_service/health").then().statusCode(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://169.254.169.254", "http://[fe80::1]:8080", "http://[fd00:ec2::254]",
            "http://metadata.google.internal", "http://0.0.0.0:8080"})
    void aServiceUrlOfALinkLocalOrMetadataAddressIs403(String url) {
        given().contentType(ContentType.JSON).body(Map.of("service_id", "metadata_probe", "service_url", url,
                        "model_type", "regression"))
                .post("/services/register").then().statusCode(403)
                .body("error", containsString("quiver.manager.registry.allowed-hosts and denied-hosts"))
                .body("request_id", notNullValue());
        given().get("/services/metadata_probe").then().statusCode(404);
    }

    @Test
    void heartbeatsReportModelsAndUnknownServicesAre404() {
        given().contentType(ContentType.JSON).body(Map.of("service_id", "beating", "service_url", "http://127.0.0.1:9",
                "model_type", "regression")).post("/services/register").then().statusCode(201);
        given().contentType(ContentType.JSON)
                .body(Map.of("models", List.of(Map.of("name", "house_price", "version", "2", "model_type", "regression"))))
                .put("/services/beating/heartbeat").then().statusCode(200);
        given().get("/services/beating").then().body("model_types", hasItems("house_price", "regression"));
        given().contentType(ContentType.JSON).body("{}").put("/services/nobody/heartbeat").then().statusCode(404);
        given().delete("/services/beating").then().statusCode(200);
    }

    @Test
    void aServiceWhoseLeaseRunsOutExpires() {
        given().contentType(ContentType.JSON).body(Map.of("service_id", "short_lease", "service_url", "http://127.0.0.1:9",
                "model_type", "regression", "lease_seconds", 1)).post("/services/register").then().statusCode(201);
        await("short_lease to expire").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> given().get("/services/short_lease").statusCode() == 404);
    }

    @Test
    void predictForATypeNoServiceHasIs404() {
        given().contentType(ContentType.JSON).body("{\"model_type\": \"unheard_of\", \"data\": [1]}")
                .post("/predict").then().statusCode(404).body("error", containsString("unheard_of"))
                .header("X-Request-Id", notNullValue());
    }

    static Stream<Arguments> invalidRegistrations() {
        return Stream.of(
                Arguments.of("{\"service_url\": \"http://a:1\", \"model_type\": \"t\"}", "service_id"),
                Arguments.of("{\"service_id\": \"../x\", \"service_url\": \"http://a:1\", \"model_type\": \"t\"}", "service_id"),
                Arguments.of("{\"service_id\": \"x\", \"model_type\": \"t\"}", "service_url"),
                Arguments.of("{\"service_id\": \"x\", \"service_url\": \"ftp://a:1\", \"model_type\": \"t\"}", "http or https"),
                Arguments.of("{\"service_id\": \"x\", \"service_url\": \"http:///nohost\", \"model_type\": \"t\"}", "no host"),
                Arguments.of("{\"service_id\": \"x\", \"service_url\": \"http://a b\", \"model_type\": \"t\"}", "not a valid URL"),
                Arguments.of("{\"service_id\": \"x\", \"service_url\": \"http://a:1\"}", "model_type"),
                Arguments.of("{\"service_id\": \"x\", \"service_url\": \"http://a:1\", \"model_type\": \"t\", \"max_concurrent_requests\": -1}", "max_concurrent_requests"),
                Arguments.of("{\"service_id\": \"x\", \"service_url\": \"http://a:1\", \"model_type\": \"t\", \"max_concurrent_requests\": 2.5}", "max_concurrent_requests"),
                Arguments.of("{\"service_id\": \"x\", \"service_url\": \"http://a:1\", \"model_type\": \"t\", \"timeout\": 0}", "timeout"),
                Arguments.of("{\"service_id\": \"x\", \"service_url\": \"http://a:1\", \"model_type\": \"t\", \"timeout\": \"30\"}", "timeout"),
                Arguments.of("{\"service_id\": \"x\", \"service_url\": \"http://a:1\", \"model_type\": \"t\", \"weight\": -2}", "weight"),
                Arguments.of("{\"service_id\": \"x\", \"service_url\": \"http://a:1\", \"model_type\": \"t\", \"capabilities\": \"prediction\"}", "capabilities"),
                Arguments.of("{\"service_id\": \"x\", \"service_url\": \"http://a:1\", \"model_type\": \"t\", \"capabilites\": []}", "unknown field 'capabilites'"),
                Arguments.of("{\"service_id\": \"x\", \"service_url\": \"http://a:1\", \"model_type\": \"t\", \"models\": [{\"version\": \"1\"}]}", "name"),
                Arguments.of("{\"service_id\": \"k8s:ns:pod\", \"service_url\": \"http://a:1\", \"model_type\": \"t\"}", "kept for model-servers discovered"),
                Arguments.of("{\"service_id\": \"x\"", "malformed JSON"),
                Arguments.of("[1, 2]", "JSON object"),
                Arguments.of("", "empty"));
    }

    @ParameterizedTest
    @MethodSource("invalidRegistrations")
    void anInvalidRegistrationIs400NamingTheProblem(String body, String fragment) {
        given().contentType(ContentType.JSON).body(body).post("/services/register").then().statusCode(400)
                .contentType(ContentType.JSON)
                .body("error", containsString(fragment))
                .body("request_id", notNullValue());
        given().get("/services/x").then().statusCode(404);
    }
}
