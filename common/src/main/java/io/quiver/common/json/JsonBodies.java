package io.quiver.common.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.common.error.BadRequestException;
import java.io.IOException;

/**
 * Parses request bodies whatever their declared content type (clients often omit it), with the same
 * 400 for every malformed body.
 */
public final class JsonBodies {
    private static final ObjectMapper JSON = WireJson.configure(new ObjectMapper());

    private JsonBodies() {
    }

    /** The body as a JSON object. */
    public static JsonNode object(byte[] body) {
        JsonNode node = parse(body);
        if (!node.isObject()) {
            throw new BadRequestException("request body must be a JSON object, got " + kind(node));
        }
        return node;
    }

    public static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new BadRequestException("request body is empty; expected JSON");
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new BadRequestException("request body is empty; expected JSON");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new BadRequestException(malformed(e));
        } catch (IOException e) {
            throw new BadRequestException("unreadable request body: " + e.getMessage());
        }
    }

    /** Jackson's message without its echo of the source, with the place of the fault. */
    public static String malformed(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        int detail = message.indexOf(" (start marker");
        if (detail < 0) {
            detail = message.indexOf("\n");
        }
        if (detail > 0) {
            message = message.substring(0, detail);
        }
        if (e.getLocation() != null) {
            message += " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        }
        return "malformed JSON: " + message;
    }

    /** A required text field. */
    public static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw new BadRequestException("field '" + field + "' is required");
        }
        if (!value.isTextual() && !value.isNumber()) {
            throw new BadRequestException("field '" + field + "' must be a string, got " + kind(value));
        }
        return value.asText();
    }

    /** An optional text field; numbers are accepted as their text ("model_version": 2). */
    public static String optionalText(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() && !value.isNumber()) {
            throw new BadRequestException("field '" + field + "' must be a string, got " + kind(value));
        }
        return value.asText();
    }

    /** A required field of any JSON kind. */
    public static JsonNode required(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw new BadRequestException("field '" + field + "' is required");
        }
        return value;
    }

    public static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().toString().toLowerCase();
        };
    }
}
