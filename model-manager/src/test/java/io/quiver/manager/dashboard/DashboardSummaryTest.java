package io.quiver.manager.dashboard;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.manager.testing.TempDataDir;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The summary the dashboard polls, for a service registered by hand. Its models and health come
 * from a real replica only in MeshDashboardIT, which runs one.
 */
@QuarkusTest
@WithTestResource(TempDataDir.class)
class DashboardSummaryTest {

    @Test
    void aServiceShowsItsLimitAndMinutesAndItsComingAndGoingAreEvents() {
        given().contentType(ContentType.JSON).body(Map.of("service_id", "dash_probe", "service_url", "http://127.0.0.1:9",
                "model_type", "regression", "max_concurrent_requests", 7)).post("/services/register").then().statusCode(201);

        JsonPath summary = given().get("/dashboard/api/summary").then().statusCode(200)
                .body("refresh_ms", notNullValue())
                .extract().jsonPath();
        Map<String, Object> probe = summary.getMap("services.find { it.service_id == 'dash_probe' }");
        assertThat(probe.get("max_concurrent_requests"), equalTo(7));
        assertThat((List<?>) probe.get("minutes"), hasSize(15));
        assertThat(summary.getList("events.findAll { it.service_id == 'dash_probe' }.kind"),
                equalTo(List.of("registered")));

        given().delete("/services/dash_probe").then().statusCode(200);
        given().get("/dashboard/api/summary").then().statusCode(200)
                .body("services.service_id", not(hasItem("dash_probe")))
                .body("events.findAll { it.service_id == 'dash_probe' }.kind", equalTo(List.of("registered", "removed")));
    }
}
