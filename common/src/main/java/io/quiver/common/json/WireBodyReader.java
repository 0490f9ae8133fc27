package io.quiver.common.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
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
        byte[] bytes = body.readAllBytes();
        if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        return mapper.readValue(bytes, mapper.constructType(genericType == null ? type : genericType));
    }
}
