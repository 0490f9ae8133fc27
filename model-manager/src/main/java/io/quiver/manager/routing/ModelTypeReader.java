package io.quiver.manager.routing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.quiver.common.error.BadRequestException;
import java.io.IOException;

/**
 * Finds the top-level {@code model_type} of a unified /predict body by streaming over it, skipping
 * everything else unread: the manager routes on this one field and forwards the bytes unchanged.
 */
public final class ModelTypeReader {
    private static final JsonFactory JSON = new JsonFactory();

    private ModelTypeReader() {
    }

    public static String modelType(byte[] body) {
        if (body == null || body.length == 0) {
            throw new BadRequestException("request body is empty; expected {\"model_type\", \"data\", \"model_version\"}");
        }
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new BadRequestException("request body must be a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("model_type")) {
                    if (value != JsonToken.VALUE_STRING || parser.getText().isBlank()) {
                        throw new BadRequestException("field 'model_type' must be a non-empty string");
                    }
                    return parser.getText();
                }
                parser.skipChildren();
            }
            throw new BadRequestException("field 'model_type' is required");
        } catch (IOException e) {
            throw new BadRequestException("malformed JSON: " + e.getMessage().split("\n")[0]);
        }
    }
}
