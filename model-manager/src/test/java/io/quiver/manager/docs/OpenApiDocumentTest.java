package io.quiver.manager.docs;

import io.quiver.common.docs.OpenApiDocuments;
import java.io.IOException;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document the build writes (served at /openapi.json) describes what each operation
 * takes and answers: a schema for every request body, for the success answer and for the error
 * answers, for every operation.
 */
class OpenApiDocumentTest {
    @Test
    void everyOperationShowsItsRequestItsAnswerAndItsErrors() throws IOException {
        OpenApiDocuments.assertTypedExcept(OpenApiDocuments.document(), Set.of());
    }

    @Test
    void noTwoTypesShareASchemaName() throws IOException {
        OpenApiDocuments.assertNoTwoTypesShareASchemaName(OpenApiDocuments.document());
    }

    @Test
    void theErrorShapeIsDescribedOnce() throws IOException {
        OpenApiDocuments.assertTheErrorShapeIsDescribed(OpenApiDocuments.document());
    }
}
