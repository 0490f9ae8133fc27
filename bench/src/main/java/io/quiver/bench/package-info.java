/**
 * The benchmarks' own code: their models and request bodies, in-process ONNX Runtime runs (JMH),
 * a bare proxy for the manager's floor, and {@link io.quiver.bench.OpenLoop}, the load generator
 * for latency at an offered rate (open loop) and for saturation (closed loop), over HTTP/1.1 or
 * gRPC.
 */
package io.quiver.bench;
