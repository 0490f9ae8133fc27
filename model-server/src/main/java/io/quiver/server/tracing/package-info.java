/**
 * A request's trace across the model-server's threads (docs/operations.md, "Tracing"): the HTTP or
 * gRPC thread decodes and queues, a model's worker or batcher thread runs it, maybe together with
 * others. The context goes along with the request; nothing here knows HTTP.
 */
package io.quiver.server.tracing;
