package io.quiver.common.s3;

import io.quiver.common.error.BadGatewayException;
import io.quiver.common.net.CappedCopy;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.net.DestinationPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads objects and lists "directories" of S3 locations through the AWS SDK, turning each failure
 * into the answer a client can act on: a missing bucket or object is a 404 naming it, refused
 * credentials and an unreachable store a 502 naming the bucket, never with the secret.
 */
public final class S3Storage implements AutoCloseable {
    /** S3's error codes for credentials it does not accept. */
    private static final Set<String> REFUSED = Set.of("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch",
            "ExpiredToken", "InvalidToken", "AuthorizationHeaderMalformed");

    private final S3Settings settings;
    private final DestinationPolicy destinations;
    private final S3Client client;

    /**
     * @param destinations checked against the endpoint before anything is sent, as model URLs are
     */
    public S3Storage(S3Settings settings, DestinationPolicy destinations) {
        this.settings = settings;
        this.destinations = destinations;
        AwsCredentialsProvider credentials = settings.accessKeyId().isPresent() && settings.secretAccessKey().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKeyId().get(),
                        settings.secretAccessKey().get()))
                : DefaultCredentialsProvider.builder().build();
        var builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(settings.timeout())
                        .socketTimeout(settings.timeout()).build())
                .region(Region.of(settings.region().orElse("us-east-1")))
                .credentialsProvider(credentials)
                .forcePathStyle(settings.pathStyle().orElse(false))
                // A store that is down answers the same on a retry a moment later; the caller's
                // timeout is what a client waits, not three times it.
                .overrideConfiguration(c -> c.retryStrategy(r -> r.maxAttempts(1)));
        settings.endpoint().ifPresent(builder::endpointOverride);
        this.client = builder.build();
    }

    /**
     * Copies the object at {@code location} (its prefix is the key) into {@code out}, at most
     * {@code maxBytes} of it; past that {@code tooLarge} is thrown, before reading when S3 declares
     * the length.
     *
     * @return false when there is no such object and {@code missingIsFine}
     * @throws NotFoundException when there is no such object (or bucket)
     */
    public boolean copyTo(S3Location location, OutputStream out, long maxBytes,
                          Supplier<? extends RuntimeException> tooLarge, boolean missingIsFine) {
        check(location);
        try (ResponseInputStream<GetObjectResponse> body = client.getObject(r -> r.bucket(location.bucket())
                .key(location.prefix()))) {
            Long length = body.response().contentLength();
            if (length != null && length > maxBytes) {
                throw tooLarge.get();
            }
            CappedCopy.copy(body, out, maxBytes, tooLarge);
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && missingIsFine && !"NoSuchBucket".equals(code(e))) {
                return false;
            }
            throw translate(e, location);
        } catch (SdkException e) {
            throw translate(e, location);
        } catch (IOException e) {
            throw new BadGatewayException("reading " + location + " from " + endpoint() + " failed: " + e.getMessage());
        }
    }

    /** The names directly below {@code location}, as {@code <prefix>/<name>/...} keys show them; sorted. */
    public List<String> children(S3Location location) {
        check(location);
        String below = location.directoryKey();
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        try {
            // Every key below, not a delimiter listing: s3rver (the tests' server) and some other
            // S3-protocol servers answer a delimiter listing only for keys one level down. A model
            // registry holds a few files per version, so the full listing stays small.
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(location.bucket()).prefix(below).build();
            for (ListObjectsV2Response page : client.listObjectsV2Paginator(request)) {
                for (S3Object object : page.contents()) {
                    String rest = object.key().substring(below.length());
                    int slash = rest.indexOf('/');
                    if (slash > 0) {
                        names.add(rest.substring(0, slash));
                    }
                }
            }
        } catch (SdkException e) {
            throw translate(e, location);
        }
        return List.copyOf(names);
    }

    /** Whether an object exists at {@code location}. */
    public boolean exists(S3Location location) {
        check(location);
        try {
            client.headObject(r -> r.bucket(location.bucket()).key(location.prefix()));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !"NoSuchBucket".equals(code(e))) {
                return false;
            }
            throw translate(e, location);
        } catch (SdkException e) {
            throw translate(e, location);
        }
    }

    /** Where requests go, for messages. */
    public String endpoint() {
        return settings.effectiveEndpoint().toString();
    }

    private void check(S3Location location) {
        destinations.check("S3 endpoint for " + location, settings.effectiveEndpoint());
    }

    private RuntimeException translate(SdkException e, S3Location location) {
        if (e instanceof S3Exception s3) {
            String code = code(s3);
            if ("NoSuchBucket".equals(code)) {
                return new NotFoundException("there is no S3 bucket '" + location.bucket() + "' at " + endpoint());
            }
            if (s3.statusCode() == 404) {
                return new NotFoundException("there is no S3 object " + location + " (at " + endpoint() + ")");
            }
            if (s3.statusCode() == 401 || s3.statusCode() == 403 || REFUSED.contains(code)) {
                // S3's own message can quote the string that was signed; the code is enough to act on.
                return new BadGatewayException("S3 at " + endpoint() + " refused the credentials for bucket '"
                        + location.bucket() + "' (" + (code == null ? "HTTP " + s3.statusCode() : code)
                        + "); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
            }
            return new BadGatewayException("S3 at " + endpoint() + " answered HTTP " + s3.statusCode()
                    + (code == null ? "" : " (" + code + ")") + " for " + location);
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException
                || e.getCause() instanceof java.net.SocketTimeoutException) {
            return new BadGatewayException("reading " + location + " from " + endpoint() + " took longer than "
                    + settings.timeout().toSeconds() + " s");
        }
        if (e instanceof SdkClientException && e.getMessage() != null && e.getMessage().contains("credentials")) {
            return new BadGatewayException("no AWS credentials for bucket '" + location.bucket()
                    + "': set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new BadGatewayException("the S3 bucket '" + location.bucket() + "' at " + endpoint()
                + " cannot be reached: " + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : ": " + root.getMessage()));
    }

    private static String code(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    @Override
    public void close() {
        client.close();
    }
}
