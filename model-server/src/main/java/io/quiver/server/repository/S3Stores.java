package io.quiver.server.repository;

import io.quiver.common.s3.S3Settings;
import io.quiver.common.s3.S3Storage;
import io.quiver.server.config.ServerConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The server's S3 clients (its {@code quiver.s3.*} connection), one per timeout: models are
 * downloaded within {@code quiver.download.timeout}, training data within
 * {@code quiver.training.data-timeout}. Each is built at its first use, since the SDK's client is
 * not free and most servers never need one, and all are closed at shutdown.
 */
@ApplicationScoped
public class S3Stores {
    private final ServerConfig config;
    private final RemoteFiles remote;
    private final Map<Duration, S3Storage> stores = new HashMap<>();

    S3Stores(ServerConfig config, RemoteFiles remote) {
        this.config = config;
        this.remote = remote;
    }

    /** The store whose connecting and reading each give up after {@code timeout}; its endpoint checked as URLs are. */
    public synchronized S3Storage storage(Duration timeout) {
        return stores.computeIfAbsent(timeout,
                t -> new S3Storage(S3Settings.of(config.s3(), t), remote.destinations()));
    }

    @PreDestroy
    synchronized void close() {
        stores.values().forEach(S3Storage::close);
        stores.clear();
    }
}
