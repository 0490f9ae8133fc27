package io.quiver.server.registration;

import io.quiver.server.config.ServerConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * The name the model-manager knows this server by and the URL it reaches it at, from
 * {@code quiver.registration.*} or, when those are absent, from the host's name and the port the
 * HTTP server actually listens on (which differs from the configured one when that is 0). Its
 * {@code grpcUrl} is where it serves gRPC: the service URL, whose port carries both protocols, or
 * the same host at {@code quiver.grpc.port} when gRPC has a port of its own.
 */
record ServiceIdentity(String serviceId, String serviceUrl, String grpcUrl) {

    ServiceIdentity(String serviceId, String serviceUrl) {
        this(serviceId, serviceUrl, serviceUrl);
    }

    /** This identity with gRPC at {@code port} of the service URL's host (plaintext, as that server has no TLS). */
    ServiceIdentity withGrpcPort(java.util.OptionalInt port) {
        if (port.isEmpty()) {
            return this;
        }
        // By hand rather than with URI, which refuses an IPv6 address with a zone (fe80::1%eth0).
        String authority = serviceUrl.substring(serviceUrl.indexOf("://") + 3);
        authority = authority.contains("/") ? authority.substring(0, authority.indexOf('/')) : authority;
        authority = authority.substring(authority.indexOf('@') + 1);
        String host = authority.startsWith("[") ? authority.substring(0, authority.indexOf(']') + 1)
                : authority.contains(":") ? authority.substring(0, authority.indexOf(':')) : authority;
        return new ServiceIdentity(serviceId, serviceUrl, "http://" + host + ":" + port.getAsInt());
    }

    static ServiceIdentity of(ServerConfig.Registration settings, int port) {
        String host = settings.serviceId().isPresent() ? null : LocalHost.name();
        String canonical = settings.advertisedUrl().isPresent() ? null : LocalHost.canonicalName();
        return of(settings, port, host, canonical);
    }

    /** Host names are passed in so that the defaults can be checked without depending on this machine's. */
    static ServiceIdentity of(ServerConfig.Registration settings, int port, String hostName, String canonicalHostName) {
        String id = settings.serviceId().orElseGet(() -> "model-server-" + hostName + "-" + port);
        String url = settings.advertisedUrl()
                .map(URI::toString)
                .orElseGet(() -> "http://" + bracketed(canonicalHostName) + ":" + port);
        return new ServiceIdentity(id, withoutTrailingSlash(url));
    }

    /** Whether the identity needs the listening port, which is known only once the HTTP server is bound. */
    static boolean needsPort(ServerConfig.Registration settings) {
        return settings.serviceId().isEmpty() || settings.advertisedUrl().isEmpty();
    }

    /** A reverse lookup that fails yields a bare IPv6 address, which a URL needs in brackets. */
    private static String bracketed(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static String withoutTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The machine's names; a host whose own name does not resolve still registers, as localhost. */
    static final class LocalHost {
        private LocalHost() {
        }

        static String name() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                return "localhost";
            }
        }

        static String canonicalName() {
            try {
                return InetAddress.getLocalHost().getCanonicalHostName();
            } catch (UnknownHostException e) {
                return "localhost";
            }
        }
    }
}
