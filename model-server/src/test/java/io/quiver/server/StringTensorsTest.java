package io.quiver.server;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.OnnxModelWriter;
import io.quiver.examples.OnnxModelWriter.ElementType;
import io.quiver.server.testing.ExampleRepository;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** BYTES tensors reach a model that takes strings, and string outputs come back as BYTES. */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class StringTensorsTest {

    @BeforeEach
    void loadAnUpperCasingModel() throws Exception {
        Path dir = ExampleRepository.extraRoot().resolve("upper/1");
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx"), OnnxModelWriter.graph("upper")
                .input("text", ElementType.STRING, "batch")
                .output("upper", ElementType.STRING, "batch")
                .node("StringNormalizer", List.of("text"), List.of("upper"),
                        OnnxModelWriter.Attribute.string("case_change_action", "UPPER"),
                        // The default locale, en_US.UTF-8, is not installed on every machine; "C" is.
                        OnnxModelWriter.Attribute.string("locale", "C"))
                .toByteArray());
        given().contentType(ContentType.JSON).body(Map.of("model_id", "upper", "registry_uri", dir.toString()))
                .post("/v1/models/load").then().statusCode(200);
    }

    @Test
    void bytesGoInAndComeOutThroughTheOpenInferenceProtocol() {
        given().get("/v2/models/upper").then().statusCode(200).body("inputs[0].datatype", equalTo("BYTES"));
        given().contentType(ContentType.JSON)
                .body("{\"inputs\": [{\"name\": \"text\", \"shape\": [2], \"datatype\": \"BYTES\", \"data\": [\"hello\", \"World 42\"]}]}")
                .post("/v2/models/upper/infer").then().statusCode(200)
                .body("outputs[0].datatype", equalTo("BYTES"))
                .body("outputs[0].data", equalTo(List.of("HELLO", "WORLD 42")));
    }

    @Test
    void stringRowsWorkThroughTheUnifiedPredict() {
        given().contentType(ContentType.JSON).body(Map.of("model_type", "upper", "data", List.of("a", "b", "c")))
                .post("/predict").then().statusCode(200).body("predictions", equalTo(List.of("A", "B", "C")));
    }

    @Test
    void aNumberWhereAStringBelongsIsNamed() {
        given().contentType(ContentType.JSON)
                .body("{\"inputs\": [{\"name\": \"text\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [5]}]}")
                .post("/v2/models/upper/infer").then().statusCode(400)
                .body("error", containsString("must be a string"));
    }
}
