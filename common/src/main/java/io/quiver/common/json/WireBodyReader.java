package io.quiver.common.json;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.common.error.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyReader;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

/**
 * Reads a typed request (a record of Quiver's) from the body whatever the declared content type:
 * clients of the reference APIs often send none, and {@code curl -d} declares a form. Every body is
 * JSON here, read by the service's one configured mapper.
 */
@Provider
@Consumes(MediaType.WILDCARD)
public class WireBodyReader implements ServerMessageBodyReader<Object> {
    private final ObjectMapper mapper;

    public WireBodyReader(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    private static boolean wire(Class<?> type) {
        return type.isRecord() && type.getName().startsWith("io.quiver.");
    }

    @Override
    public boolean isReadable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo lazyMethod,
                              MediaType mediaType) {
        return wire(type);
    }

    @Override
    public Object readFrom(Class<Object> type, Type genericType, MediaType mediaType, ServerRequestContext context)
            throws IOException {
        return read(type, genericType, context.getInputStream());
    }

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return wire(type);
    }

    @Override
    public Object readFrom(Class<Object> type, Type genericType, Annotation[] annotations, MediaType mediaType,
                           MultivaluedMap<String, String> httpHeaders, InputStream entityStream) throws IOException {
        return read(type, genericType, entityStream);
    }

    /** No body, or only white space, is no request: null, which a required body's @NotNull refuses. */
    private Object read(Class<Object> type, Type genericType, InputStream body) throws IOException {
        return read(mapper, body.readAllBytes(), mapper.constructType(genericType == null ? type : genericType));
    }

    /**
     * The typed request in {@code bytes}, as every resource receives it; null for a blank body. A
     * body Jackson cannot bind throws its {@code JsonProcessingException}, which the error mapper
     * answers with a 400 naming the field.
     */
    public static Object read(ObjectMapper mapper, byte[] bytes, JavaType type) throws IOException {
        if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        try {
            return mapper.readValue(bytes, type);
        } catch (CharConversionException e) {
            // Jackson guesses the encoding from the first bytes (UTF-16, UTF-32) and reports text
            // that is not in it with this plain IOException, which no mapper would answer as a 400.
            throw new BadRequestException("malformed JSON: the body is not text in UTF-8, UTF-16 or UTF-32 ("
                    + e.getMessage() + ")");
        }
    }
}
