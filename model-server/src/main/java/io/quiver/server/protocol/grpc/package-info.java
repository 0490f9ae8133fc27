/**
 * The Open Inference Protocol over gRPC ({@code inference.GRPCInferenceService}, generated from
 * common/src/main/proto): the same inference path, validation and repository extension as the
 * REST resources in {@code protocol/v2}, served on the HTTP port.
 */
package io.quiver.server.protocol.grpc;
