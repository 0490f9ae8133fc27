package io.quiver.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Keeps API Gateway's own names on its events and on the function's answers. Quarkus reads each
 * event and writes each answer with a copy of the application's mapper, and the model-server's
 * mapper names properties in snake_case ({@link io.quiver.common.json.WireJson}): without this, an
 * event's {@code requestContext} is not found (every request fails as "Missing HTTP method") and
 * API Gateway, finding no {@code statusCode} in the answer, would take the whole answer for a body
 * (quarkusio/quarkus#24284). The override is by class, so the model-server's own bodies keep their
 * names.
 */
@Singleton
public class ApiGatewayJson implements ObjectMapperCustomizer {
    /** The payload-format-2.0 classes, with every nested one: a mix-in applies to its class alone. */
    private static final List<Class<?>> EVENT_CLASSES = List.of(
            APIGatewayV2HTTPEvent.class,
            APIGatewayV2HTTPEvent.RequestContext.class,
            APIGatewayV2HTTPEvent.RequestContext.Http.class,
            APIGatewayV2HTTPEvent.RequestContext.Authorizer.class,
            APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.class,
            APIGatewayV2HTTPEvent.RequestContext.IAM.class,
            APIGatewayV2HTTPEvent.RequestContext.CognitoIdentity.class,
            APIGatewayV2HTTPResponse.class);

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    private abstract static class AwsNames {
    }

    @Override
    public void customize(ObjectMapper mapper) {
        EVENT_CLASSES.forEach(type -> mapper.addMixIn(type, AwsNames.class));
    }
}
