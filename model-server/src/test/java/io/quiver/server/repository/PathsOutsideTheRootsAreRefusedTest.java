package io.quiver.server.repository;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExampleRepository;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Nothing outside the repository and quiver.allowed-roots can be loaded, however it is named. */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class PathsOutsideTheRootsAreRefusedTest {

    @Test
    void anAbsolutePathOutsideTheRootsIs403() {
        load("escape_abs", ExampleRepository.outside().resolve("house_price/1").toString())
                .statusCode(403).body("error", containsString("outside the allowed model roots"));
    }

    @Test
    void aFileUriOutsideTheRootsIs403() {
        load("escape_uri", ExampleRepository.outside().resolve("house_price/1").toUri().toString()).statusCode(403);
    }

    @Test
    void dotDotIsRefusedEvenWhenItWouldLandInside() {
        load("escape_dots", "house_price/../house_price/1").statusCode(400).body("error", containsString("'..'"));
        load("escape_dots", ExampleRepository.root() + "/../outside/house_price/1").statusCode(400);
    }

    @Test
    void aSymlinkedDirectoryPointingOutsideIs403() throws Exception {
        Path link = ExampleRepository.root().resolve("linked_dir");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, ExampleRepository.outside().resolve("house_price/1"));
        load("escape_link", "linked_dir").statusCode(403);
    }

    @Test
    void aSymlinkedModelFilePointingOutsideIs403() throws Exception {
        Path dir = ExampleRepository.root().resolve("linked_file/1");
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("model.onnx"));
        Files.createSymbolicLink(dir.resolve("model.onnx"), ExampleRepository.outside().resolve("house_price/1/model.onnx"));
        load("escape_file", dir.toString()).statusCode(403);
    }

    @Test
    void relativePathsResolveInsideTheRepository() {
        load("inside_relative", "house_price/1").statusCode(200);
        given().delete("/v1/models/inside_relative/1").then().statusCode(200);
    }

    @Test
    void namesThatWouldBecomePathsAreRefused() {
        given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "../../etc", "registry_uri", "house_price/1"))
                .post("/v1/models/load").then().statusCode(400).body("error", containsString("model name"));
        given().contentType(ContentType.JSON)
                .body(Map.of("model_id", "ok", "version", "1/../../x", "registry_uri", "house_price/1"))
                .post("/v1/models/load").then().statusCode(400).body("error", containsString("version"));
    }

    @Test
    void unsupportedSchemesAreNamed() {
        load("remote_ftp", "ftp://host/models/x/1").statusCode(400).body("error", containsString("'ftp:'"));
    }

    @Test
    void aMissingPathIs404() {
        load("missing", "no_such_model/1").statusCode(404);
    }

    private static ValidatableResponse load(String name, String uri) {
        return given().contentType(ContentType.JSON).body(Map.of("model_id", name, "registry_uri", uri))
                .post("/v1/models/load").then();
    }
}
