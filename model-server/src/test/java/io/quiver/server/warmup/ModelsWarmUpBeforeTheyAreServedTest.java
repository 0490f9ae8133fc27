package io.quiver.server.warmup;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.examples.ExporterModels;
import io.quiver.server.testing.WarmupRepository;
import io.quiver.server.testing.Wire;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every model version is run on sample inputs as it loads, before it is served: inputs generated
 * from its signature for every datatype the server serves, or the samples its descriptor declares.
 * What a user sees is {@code quiver_warmup_seconds} in the metrics, counted apart from the
 * requests, and the documented answers when a warm-up fails.
 */
@QuarkusTest
@WithTestResource(WarmupRepository.class)
class ModelsWarmUpBeforeTheyAreServedTest {
    /** Models whose warm-up is not the default one on generated inputs. */
    private static final Set<String> SPECIAL = Set.of(WarmupRepository.PAIRS, WarmupRepository.LOOKUP,
            WarmupRepository.UNWARMED);

    @BeforeEach
    void startupLoadingIsDone() {
        Wire.awaitReady();
    }

    @Test
    void everyServedVersionRanOnGeneratedInputsBeforeReadinessWithoutCountingAsARequest() {
        String metrics = metrics();
        List<String> warmed = new ArrayList<>();
        for (JsonNode entry : index()) {
            String name = entry.path("name").asText();
            if (!"READY".equals(entry.path("state").asText()) || SPECIAL.contains(name)) {
                continue;
            }
            String version = entry.path("version").asText();
            assertEquals(1.0, warmups(metrics, name, version, "ok", "generated"), name + ":" + version + "\n" + metrics);
            assertEquals(0.0, warmups(metrics, name, version, "failed", "generated"), name + ":" + version);
            warmed.add(name);
        }
        // Every datatype, ZipMap outputs, a rank-0 input, several inputs: the exporter models and
        // the example ones.
        assertTrue(warmed.containsAll(ExporterModels.names()), warmed::toString);
        assertTrue(warmed.containsAll(List.of("house_price", "multi_input", "fraud_classifier", "lstm_forecaster")),
                warmed::toString);
        // No test here sends every_datatype a request: its warm-up must not look like one.
        JsonNode stats = Wire.getOk("/v2/models/" + ExporterModels.EVERY_DATATYPE + "/stats")
                .path("model_stats").get(0);
        assertEquals(0, stats.path("inference_count").asLong(), stats::toString);
        assertEquals(0, stats.path("execution_count").asLong(), stats::toString);
        // No inference of it may have been counted as served.
        Matcher counted = Pattern.compile("^quiver_inference_seconds_count\\{[^}]*model=\""
                + Pattern.quote(ExporterModels.EVERY_DATATYPE) + "\",outcome=\"ok\"[^}]*} (\\S+)$", Pattern.MULTILINE)
                .matcher(metrics);
        double requests = 0;
        while (counted.find()) {
            requests += Double.parseDouble(counted.group(1));
        }
        assertEquals(0.0, requests, () -> "warm-up runs counted as requests: " + metrics.lines()
                .filter(l -> l.startsWith("quiver_inference_seconds_count") && l.contains(ExporterModels.EVERY_DATATYPE))
                .toList());
    }

    @Test
    void theDescriptorsSampleInputsRunAsOftenAsItSaysAndAgainBeforeAReloadIsServed() {
        double atStart = warmups(metrics(), WarmupRepository.LOOKUP, "1", "ok", "sample");
        assertTrue(atStart >= 3, "three runs of the sample at start, got " + atStart);
        assertEquals(0.0, warmups(metrics(), WarmupRepository.LOOKUP, "1", "ok", "generated"));

        given().contentType("application/json").body("{}").post("/v2/repository/models/lookup/load")
                .then().statusCode(200);
        // The load answers once the new session is served, so its warm-up is counted by then.
        assertEquals(atStart + 3, warmups(metrics(), WarmupRepository.LOOKUP, "1", "ok", "sample"));

        JsonNode answer = Wire.postOk("/v2/models/lookup/infer",
                "{\"inputs\": [{\"name\": \"index\", \"datatype\": \"INT64\", \"shape\": [2], \"data\": [1, 0]}]}");
        JsonNode value = answer.path("outputs").get(0).path("data");
        assertEquals(WarmupRepository.TABLE[1], value.get(0).floatValue());
        assertEquals(WarmupRepository.TABLE[0], value.get(1).floatValue());
    }

    @Test
    void aSampleTheModelRefusesFailsItsLoadAndSaysWhy() {
        JsonNode failed = entry(WarmupRepository.LOOKUP_OUT_OF_RANGE);
        assertEquals("UNAVAILABLE", failed.path("state").asText(), failed::toString);
        assertTrue(failed.path("reason").asText().contains("refused the warm-up sample inputs"), failed::toString);
        given().get("/ready").then().statusCode(200)
                .body(containsString("lookup_out_of_range/1"));

        given().contentType("application/json").body("{}")
                .post("/v2/repository/models/" + WarmupRepository.LOOKUP_OUT_OF_RANGE + "/load")
                .then().statusCode(400)
                .body(allOf(containsString("warm-up sample inputs"), containsString("index INT64 [1]")));
        given().get("/v2/models/" + WarmupRepository.LOOKUP_OUT_OF_RANGE + "/ready").then().statusCode(404);
    }

    @Test
    void aSampleThatDoesNotFitTheSignatureFailsItsLoadNamingTheInput() {
        given().contentType("application/json").body("{}")
                .post("/v2/repository/models/" + WarmupRepository.LOOKUP_MISNAMED + "/load")
                .then().statusCode(400)
                .body(allOf(containsString("warm-up sample inputs"), containsString("unknown input 'position'")));
    }

    @Test
    void generatedInputsTheModelRefusesLeaveItServedWithAFailedWarmupShown() {
        String metrics = metrics();
        assertEquals(1.0, warmups(metrics, WarmupRepository.PAIRS, "1", "failed", "generated"), metrics);
        assertEquals(0.0, warmups(metrics, WarmupRepository.PAIRS, "1", "ok", "generated"));
        JsonNode answer = Wire.postOk("/v2/models/pairs/infer",
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [4], \"data\": [1, 2, 3, 4]}]}");
        assertEquals("[2,2]", answer.path("outputs").get(0).path("shape").toString());
    }

    @Test
    void aDescriptorCanTurnWarmupOff() {
        String metrics = metrics();
        assertTrue(metrics.contains("quiver_warmup_seconds_count{"), "no warm-up metric at all:\n" + metrics);
        assertFalse(Pattern.compile("^quiver_warmup_seconds_count\\{[^}]*model=\"" + WarmupRepository.UNWARMED + "\"",
                Pattern.MULTILINE).matcher(metrics).find(), "unwarmed was warmed up");
        given().get("/v2/models/" + WarmupRepository.UNWARMED + "/ready").then().statusCode(200);
    }

    private static JsonNode index() {
        return Wire.read(given().contentType("application/json").body("{}").post("/v2/repository/index")
                .then().statusCode(200).extract().asString());
    }

    private static JsonNode entry(String name) {
        for (JsonNode entry : index()) {
            if (name.equals(entry.path("name").asText())) {
                return entry;
            }
        }
        throw new AssertionError(name + " is not in the index: " + index());
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** {@code quiver_warmup_seconds_count} of one version, outcome and kind of inputs; 0 when absent. */
    private static double warmups(String metrics, String model, String version, String outcome, String inputs) {
        Pattern line = Pattern.compile("^quiver_warmup_seconds_count\\{inputs=\"" + inputs + "\",model=\""
                + Pattern.quote(model) + "\",outcome=\"" + outcome + "\",version=\"" + Pattern.quote(version)
                + "\"} (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0.0;
    }
}
