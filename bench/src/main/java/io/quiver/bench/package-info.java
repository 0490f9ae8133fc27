/**
 * The benchmarks' own code: their models and request bodies, in-process ONNX Runtime runs (JMH),
 * and a bare proxy for the manager's floor.
 */
package io.quiver.bench;
