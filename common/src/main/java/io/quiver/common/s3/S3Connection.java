package io.quiver.common.s3;

import java.net.URI;
import java.util.Optional;

/**
 * How a service reaches an S3-protocol store, as both services configure it (a group of their
 * {@code @ConfigMapping}s); each setting left out falls back to the usual AWS environment
 * variable ({@link S3Settings#of}).
 */
public interface S3Connection {
    /** An S3-protocol server other than AWS's; default {@code AWS_ENDPOINT_URL_S3}, then {@code AWS_ENDPOINT_URL}. */
    Optional<URI> endpoint();

    /** Default {@code AWS_REGION}, then {@code AWS_DEFAULT_REGION}, then {@code us-east-1}. */
    Optional<String> region();

    /** Bucket in the path rather than the host name; default on when an endpoint is set. */
    Optional<Boolean> pathStyle();

    /** With the secret key; when absent, the AWS SDK's default chain ({@code AWS_ACCESS_KEY_ID}, profiles, roles). */
    Optional<String> accessKeyId();

    Optional<String> secretAccessKey();
}
