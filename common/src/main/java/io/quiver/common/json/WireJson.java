package io.quiver.common.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The one JSON configuration of a service, for the REST layer's mapper and for every body parsed
 * by hand ({@link JsonBodies}): names on the wire are snake_case, a field a request type does not
 * know is refused (a misspelt option must not be silently ignored), trailing content is refused,
 * nesting stops at {@value #MAX_NESTING} levels, and decimals go through Jackson's fast parser.
 */
@Singleton
public class WireJson implements ObjectMapperCustomizer {
    /** Deepest nesting a body may have; a rank-8 tensor in nested form needs 12. */
    public static final int MAX_NESTING = 64;

    @Override
    public void customize(ObjectMapper mapper) {
        configure(mapper);
    }

    /** Applies the configuration to {@code mapper} and returns it. */
    public static ObjectMapper configure(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build());
        // Tensors arrive as long arrays of decimals; the JDK's parser took an eighth of a
        // model-server's CPU under load (bench/run, mlp), the fast parser gives the same doubles.
        mapper.enable(JsonParser.Feature.USE_FAST_DOUBLE_PARSER);
        mapper.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        // A number where text is wanted is taken as its text ("model_version": 2), as the bodies
        // parsed by hand take it. Nothing else changes kind on the way in: true is not a name,
        // "yes" and 1 are not booleans, "5" is not a number and 2.5 is not an integer.
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        // An answer with nothing to say ({} after a load, as Triton answers) is an empty record.
        mapper.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        return mapper;
    }
}
