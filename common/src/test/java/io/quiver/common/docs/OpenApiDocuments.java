package io.quiver.common.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The checks both services make of the OpenAPI document their build writes (served at
 * /openapi.json): a schema for every request body, for the success answer and for the error
 * answers. Each service lists the operations it has not typed yet; the list may only shrink, and an
 * operation that gains its schemas must leave it.
 */
public final class OpenApiDocuments {
    private OpenApiDocuments() {
    }

    /** The document the build wrote into the classes of the service under test. */
    public static JsonNode document() throws IOException {
        try (InputStream in = OpenApiDocuments.class.getResourceAsStream("/META-INF/resources/openapi.json")) {
            assertNotNull(in, "the build wrote no META-INF/resources/openapi.json");
            // Read as written, not by the service's wire configuration: this is a test's look at a file.
            return new ObjectMapper().readTree(in);
        }
    }

    /** Fails unless exactly the operations in {@code notYetTyped} lack a request, answer or error schema. */
    public static void assertTypedExcept(JsonNode document, Set<String> notYetTyped) {
        Set<String> untyped = new TreeSet<>();
        Set<String> seen = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> operations = path.getValue().fields(); operations.hasNext(); ) {
                Map.Entry<String, JsonNode> operation = operations.next();
                String name = operation.getKey().toUpperCase() + " " + path.getKey();
                seen.add(name);
                if (!typed(operation.getKey(), operation.getValue())) {
                    untyped.add(name);
                }
            }
        }
        assertEquals(new TreeSet<>(notYetTyped), untyped,
                "operations without a typed request, answer or error schema (left: to type; right: listed)");
        Set<String> gone = new TreeSet<>(notYetTyped);
        gone.removeAll(seen);
        assertEquals(Set.of(), gone, "listed operations the document no longer has");
    }

    public static void assertNoTwoTypesShareASchemaName(JsonNode document) {
        for (Iterator<String> names = document.path("components").path("schemas").fieldNames(); names.hasNext(); ) {
            String name = names.next();
            assertFalse(name.matches(".*\\D\\d+$"), "schema " + name + " was renamed to tell it from another of the "
                    + "same simple name: give one of them a name of its own");
        }
    }

    public static void assertTheErrorShapeIsDescribed(JsonNode document) {
        JsonNode error = document.path("components").path("schemas").path("ErrorBody");
        assertNotNull(error.path("properties").get("error"), "ErrorBody has no 'error' property: " + error);
        assertNotNull(error.path("properties").get("request_id"), "ErrorBody has no 'request_id' property: " + error);
    }

    private static boolean typed(String method, JsonNode operation) {
        // An operation that takes no body at all (reference document 000's POST /deploy/{model}/{version})
        // has no requestBody in the document; one that takes a body must show its schema.
        boolean body = operation.has("requestBody");
        if (body && (method.equals("post") || method.equals("put") || method.equals("patch"))) {
            JsonNode content = operation.path("requestBody").path("content");
            if (content.isMissingNode() || !content.has("application/json") || !schema(content.get("application/json"))) {
                return false;
            }
        }
        JsonNode responses = operation.path("responses");
        boolean success = false;
        for (Iterator<Map.Entry<String, JsonNode>> codes = responses.fields(); codes.hasNext(); ) {
            Map.Entry<String, JsonNode> code = codes.next();
            if (code.getKey().startsWith("2")) {
                JsonNode json = code.getValue().path("content").path("application/json");
                success = success || schema(json);
            }
        }
        return success && error(responses.path("4XX")) && error(responses.path("5XX"));
    }

    /** A schema that says more than "an object" or "some bytes". */
    private static boolean schema(JsonNode media) {
        JsonNode schema = media.path("schema");
        if (schema.has("$ref")) {
            return true;
        }
        String type = schema.path("type").asText();
        // A map keyed by the client's own names (columns, say) says what it holds in additionalProperties.
        return type.equals("array") ? schema.path("items").has("$ref")
                : schema.has("properties") || schema.has("additionalProperties");
    }

    private static boolean error(JsonNode response) {
        return response.path("content").path("application/json").path("schema").path("$ref").asText()
                .endsWith("/ErrorBody");
    }
}
