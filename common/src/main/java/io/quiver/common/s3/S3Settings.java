package io.quiver.common.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How to reach S3: the usual AWS settings, each overridable by a Quiver setting of the service
 * (its {@code s3} group), which is what tests and a service with two stores need.
 *
 * @param endpoint       an S3-protocol server other than AWS's; default {@code AWS_ENDPOINT_URL_S3},
 *                       then {@code AWS_ENDPOINT_URL}
 * @param region         default {@code AWS_REGION}, then {@code AWS_DEFAULT_REGION}, then {@code us-east-1}
 * @param pathStyle      {@code http://host/bucket/key} instead of {@code http://bucket.host/key};
 *                       default on when an endpoint is set, since local servers have no per-bucket host names
 * @param accessKeyId    with {@code secretAccessKey}; when absent, the AWS SDK's default chain
 *                       ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, profiles, instance roles)
 * @param timeout        for connecting and for each read; a stalled transfer fails after it
 */
public record S3Settings(Optional<URI> endpoint, Optional<String> region, Optional<Boolean> pathStyle,
                         Optional<String> accessKeyId, Optional<String> secretAccessKey, Duration timeout) {

    /** A service's configured connection, what it leaves out taken from this process's AWS variables. */
    public static S3Settings of(S3Connection connection, Duration timeout) {
        return new S3Settings(connection.endpoint(), connection.region(), connection.pathStyle(),
                connection.accessKeyId(), connection.secretAccessKey(), timeout).withDefaultsFrom(System.getenv());
    }

    /** Fills what is absent from the AWS environment variables in {@code env}. */
    public S3Settings withDefaultsFrom(Map<String, String> env) {
        Optional<URI> resolvedEndpoint = endpoint.or(() -> first(env, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL").map(URI::create));
        return new S3Settings(resolvedEndpoint,
                Optional.of(region.or(() -> first(env, "AWS_REGION", "AWS_DEFAULT_REGION")).orElse("us-east-1")),
                Optional.of(pathStyle.orElse(resolvedEndpoint.isPresent())), accessKeyId, secretAccessKey, timeout);
    }

    /**
     * The environment a process given these settings reads them from (a deployment's model-server):
     * the AWS variables for what is set, and the model-server's {@code QUIVER_S3_PATH_STYLE}, since
     * no AWS variable says it.
     */
    public Map<String, String> environment() {
        Map<String, String> env = new java.util.TreeMap<>();
        endpoint.ifPresent(uri -> env.put("AWS_ENDPOINT_URL_S3", uri.toString()));
        region.ifPresent(r -> env.put("AWS_REGION", r));
        pathStyle.ifPresent(p -> env.put("QUIVER_S3_PATH_STYLE", p.toString()));
        accessKeyId.ifPresent(id -> env.put("AWS_ACCESS_KEY_ID", id));
        secretAccessKey.ifPresent(secret -> env.put("AWS_SECRET_ACCESS_KEY", secret));
        return env;
    }

    /** The address requests go to, for the destination policy and for messages. */
    public URI effectiveEndpoint() {
        return endpoint.orElseGet(() -> URI.create("https://s3." + region.orElse("us-east-1") + ".amazonaws.com"));
    }

    private static Optional<String> first(Map<String, String> env, String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return Optional.of(value.trim());
            }
        }
        return Optional.empty();
    }
}
