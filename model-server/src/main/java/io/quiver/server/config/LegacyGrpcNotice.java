package io.quiver.server.config;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Leaves out the one warning quarkus-grpc gives at every start when gRPC has a port of its own
 * ("Using legacy gRPC support with a separate HTTP server instance..."): that port, served by
 * grpc-java's Netty server, is the model-server's measured choice ({@link GrpcPort}), and a warning
 * at every start would teach operators to ignore warnings. Every other message passes.
 */
@LoggingFilter(name = "legacy-grpc-notice")
public final class LegacyGrpcNotice implements Filter {
    private static final String LOGGER = "io.quarkus.grpc.runtime.GrpcServerRecorder";
    private static final String NOTICE = "Using legacy gRPC support with a separate HTTP server instance";

    @Override
    public boolean isLoggable(LogRecord record) {
        String message = record.getMessage();
        return !(LOGGER.equals(record.getLoggerName()) && message != null && message.startsWith(NOTICE));
    }
}
