/**
 * Which loaded model versions keep their ONNX sessions open under the memory budget: the least
 * recently used ones are closed and opened again on demand.
 */
package io.quiver.server.cache;
