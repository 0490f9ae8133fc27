/** What both services share of gRPC: the status codes beside the HTTP statuses they stand for. */
package io.quiver.common.grpc;
