/**
 * The one error shape of both services ({@link io.quiver.common.error.ErrorBody}), the exceptions
 * that carry an HTTP status from where a failure is known, the mapper that renders every failure
 * into that shape, and the filter that writes the error answers into the OpenAPI documents.
 */
package io.quiver.common.error;
