package io.quiver.server.extensions;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.server.testing.Wire;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.List;

/** What tritonclient's HTTP client sends for the repository, configuration and statistics calls, and reads back. */
final class TritonClient {
    private TritonClient() {
    }

    /** As a deployment would, waits for {@code GET /ready} before the first call. */
    static void awaitReady() throws InterruptedException {
        Wire.awaitReady();
    }

    /** {@code get_model_repository_index()}: a POST with an empty body. */
    static JsonNode index() {
        return Wire.read(given().post("/v2/repository/index").then().statusCode(200).extract().asString());
    }

    static JsonNode index(String body) {
        return Wire.postOk("/v2/repository/index", body);
    }

    /** {@code load_model(name)}: a POST of {@code {}}. */
    static io.restassured.response.Response load(String name) {
        return given().contentType(ContentType.JSON).body("{}").post("/v2/repository/models/" + name + "/load");
    }

    /** {@code unload_model(name)}: a POST naming Triton's one unload parameter. */
    static io.restassured.response.Response unload(String name) {
        return given().contentType(ContentType.JSON).body("{\"parameters\": {\"unload_dependents\": false}}")
                .post("/v2/repository/models/" + name + "/unload");
    }

    /** The index entry for {@code name} at {@code version}, or null. */
    static JsonNode entry(JsonNode index, String name, String version) {
        for (JsonNode entry : index) {
            if (entry.path("name").asText().equals(name) && entry.path("version").asText().equals(version)) {
                return entry;
            }
        }
        return null;
    }

    static List<String> namesAndVersions(JsonNode array) {
        List<String> all = new ArrayList<>();
        array.forEach(e -> all.add(e.path("name").asText() + "/" + e.path("version").asText()));
        return all;
    }

    /** A one-row V2 inference request for house_price (or a copy of it). */
    static String houseRequest(int rows) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            data.append(i == 0 ? "" : ",").append("1200,3,").append(10 + i);
        }
        return "{\"inputs\": [{\"name\": \"features\", \"datatype\": \"FP32\", \"shape\": [" + rows + ", 3], \"data\": ["
                + data + "]}]}";
    }
}
