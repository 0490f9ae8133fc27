package io.quiver.manager.routing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.quiver.common.error.BadRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;

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
            throw empty();
        }
        try {
            return modelType(JSON.createParser(body));
        } catch (IOException e) {
            throw malformed(e);
        }
    }

    /** The same, read from the buffer the request arrived in, without copying it. */
    public static String modelType(Buffer body) {
        if (body == null || body.length() == 0) {
            throw empty();
        }
        ByteBuf bytes = body.getByteBuf();
        try {
            return modelType(bytes.hasArray()
                    ? JSON.createParser(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes())
                    : JSON.createParser((InputStream) new ByteBufInputStream(bytes)));
        } catch (IOException e) {
            throw malformed(e);
        }
    }

    private static String modelType(JsonParser json) throws IOException {
        try (JsonParser parser = json) {
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
        }
    }

    private static BadRequestException empty() {
        return new BadRequestException("request body is empty; expected {\"model_type\", \"data\", \"model_version\"}");
    }

    private static BadRequestException malformed(IOException e) {
        return new BadRequestException("malformed JSON: " + e.getMessage().split("\n")[0]);
    }
}
