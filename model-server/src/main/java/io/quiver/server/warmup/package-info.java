/**
 * Warm-up: sample inputs, declared in a model's descriptor or generated from its signature, run
 * through a model version as it loads and before it is served, so that no client request pays
 * ONNX Runtime's first run; and at start, the same inputs sent to the server itself over HTTP, so
 * that no client request pays the JVM's first pass over the request path. Neither counts in the
 * requests' metrics and statistics.
 */
package io.quiver.server.warmup;
