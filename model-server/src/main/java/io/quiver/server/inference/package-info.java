/**
 * Tensors and ONNX Runtime: the V2 datatypes, a model's signature read from its graph, input
 * checks, and running a session with values in and out.
 */
package io.quiver.server.inference;
