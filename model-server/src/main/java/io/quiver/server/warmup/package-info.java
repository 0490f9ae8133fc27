/**
 * Warm-up: sample inputs, declared in a model's descriptor or generated from its signature, run
 * through a model version as it loads and before it is served, so that no client request pays
 * ONNX Runtime's first run. Its runs are counted apart from the requests' metrics and statistics.
 */
package io.quiver.server.warmup;
