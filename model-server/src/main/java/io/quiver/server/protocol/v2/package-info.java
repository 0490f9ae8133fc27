/**
 * The Open Inference Protocol (KServe V2) over REST, with the binary tensor data, model
 * repository, model configuration and statistics extensions.
 */
package io.quiver.server.protocol.v2;
