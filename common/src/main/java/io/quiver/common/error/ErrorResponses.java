package io.quiver.common.error;

import java.util.List;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * Writes the error answers into a service's OpenAPI document, once for every operation: every
 * failure is rendered by {@link ErrorMapper} into {@link ErrorBody}, whatever the endpoint, so each
 * operation answers 4XX and 5XX with that shape. Named as the {@code filter} of the build's OpenAPI
 * generation.
 */
public class ErrorResponses implements OASFilter {
    private static final String ERROR_SCHEMA = "ErrorBody";

    @Override
    public Operation filterOperation(Operation operation) {
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        if (operation.getResponses().getAPIResponse("4XX") == null) {
            operation.getResponses().addAPIResponse("4XX", error(
                    "The request was refused; `error` says why (400 a bad body or parameter, 401/403 a missing or "
                            + "wrong token, 404 nothing by that name, 413 too large, 429/503 too busy)"));
        }
        if (operation.getResponses().getAPIResponse("5XX") == null) {
            operation.getResponses().addAPIResponse("5XX", error(
                    "The service failed (500, with the request id to find in its log) or a peer did (502, 504)"));
        }
        return operation;
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        openAPI.getComponents().addSchema(ERROR_SCHEMA, OASFactory.createSchema()
                .type(List.of(Schema.SchemaType.OBJECT))
                .description("The one error shape: what went wrong, and the request id the service logged it under")
                .addProperty("error", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
                        .examples(List.of("field 'model_id' is required")))
                .addProperty("request_id", OASFactory.createSchema()
                        .type(List.of(Schema.SchemaType.STRING)))
                .required(List.of("error")));
    }

    private static APIResponse error(String description) {
        MediaType json = OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref(ERROR_SCHEMA));
        return OASFactory.createAPIResponse().description(description)
                .content(OASFactory.createContent().addMediaType("application/json", json));
    }
}
