/**
 * Models the build writes: the example repository the services and the quick start serve, models
 * written as the public exporters (skl2onnx, torch.onnx) write them, with reference answers
 * computed without ONNX Runtime, and the ONNX writer they share; and the real servers tests start
 * beside the services (s3rver, influxd).
 */
package io.quiver.examples;
