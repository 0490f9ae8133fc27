/**
 * The benchmarks' own code: their models and request bodies, in-process ONNX Runtime runs (JMH),
 * a bare proxy for the manager's floor, and {@link io.quiver.bench.OpenLoop}, the open-loop load
 * generator for latency at an offered rate.
 */
package io.quiver.bench;
