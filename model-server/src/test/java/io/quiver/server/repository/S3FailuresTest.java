package io.quiver.server.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.common.error.ApiException;
import io.quiver.common.error.PayloadTooLargeException;
import io.quiver.common.net.DestinationPolicy;
import io.quiver.common.s3.S3Location;
import io.quiver.common.s3.S3Settings;
import io.quiver.common.s3.S3Storage;
import io.quiver.examples.S3rverProcess;
import io.quiver.server.testing.S3Bucket;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** How an S3 store's failures reach a client, against a real S3 server (s3rver) started here. */
class S3FailuresTest {
    private static final String WRONG_SECRET = "not-the-secret-4f9a";
    private static S3rverProcess server;

    @BeforeAll
    static void start() {
        server = new S3rverProcess(S3Bucket.BUCKET);
        try (S3Client client = S3Bucket.client(server)) {
            client.putObject(r -> r.bucket(S3Bucket.BUCKET).key("registry/m/1/model.onnx"), RequestBody.fromBytes(new byte[4096]));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static S3Storage storage(String endpoint, String keyId, String secret, List<String> denied) {
        return new S3Storage(new S3Settings(Optional.of(URI.create(endpoint)), Optional.empty(), Optional.empty(),
                Optional.of(keyId), Optional.of(secret), Duration.ofSeconds(5))
                .withDefaultsFrom(java.util.Map.of()), new DestinationPolicy(List.of(), denied, "quiver.download.denied-hosts"));
    }

    private static ApiException copyFails(S3Storage storage, String location, long cap) {
        return assertThrows(ApiException.class, () -> storage.copyTo(S3Location.parse(location),
                new ByteArrayOutputStream(), cap, () -> new PayloadTooLargeException("too large"), false));
    }

    /** s3rver checks the key id only (it does not verify version 4 signatures), so an unknown id is what it refuses. */
    @Test
    void refusedCredentialsAre502NamingTheBucketWithoutTheSecret() {
        try (S3Storage storage = storage(server.endpoint(), "AKIANOTAKNOWNKEY", WRONG_SECRET, List.of())) {
            ApiException e = copyFails(storage, "s3://" + S3Bucket.BUCKET + "/registry/m/1/model.onnx", 1 << 20);
            assertEquals(502, e.status());
            assertTrue(e.getMessage().contains("refused the credentials for bucket '" + S3Bucket.BUCKET + "'"), e.getMessage());
            assertFalse(e.getMessage().contains(WRONG_SECRET), e.getMessage());
        }
    }

    @Test
    void aStoreThatIsDownIs502NamingTheBucket() {
        S3rverProcess gone = new S3rverProcess();
        String endpoint = gone.endpoint();
        gone.close();
        try (S3Storage storage = storage(endpoint, S3rverProcess.ACCESS_KEY_ID, S3rverProcess.SECRET_ACCESS_KEY, List.of())) {
            ApiException e = copyFails(storage, "s3://down-bucket/m/1/model.onnx", 1 << 20);
            assertEquals(502, e.status());
            assertTrue(e.getMessage().contains("down-bucket") && e.getMessage().contains(endpoint), e.getMessage());
        }
    }

    @Test
    void anObjectOverTheCapIs413BeforeItIsRead() {
        try (S3Storage storage = storage(server.endpoint(), S3rverProcess.ACCESS_KEY_ID, S3rverProcess.SECRET_ACCESS_KEY, List.of())) {
            assertEquals(413, copyFails(storage, "s3://" + S3Bucket.BUCKET + "/registry/m/1/model.onnx", 1024).status());
        }
    }

    @Test
    void anEndpointTheDestinationPolicyDeniesIs403() {
        try (S3Storage storage = storage(server.endpoint(), S3rverProcess.ACCESS_KEY_ID, S3rverProcess.SECRET_ACCESS_KEY, List.of("127.0.0.0/8"))) {
            assertEquals(403, copyFails(storage, "s3://" + S3Bucket.BUCKET + "/registry/m/1/model.onnx", 1 << 20).status());
        }
    }

    @Test
    void childrenListsTheNamesBelowAPrefix() {
        try (S3Storage storage = storage(server.endpoint(), S3rverProcess.ACCESS_KEY_ID, S3rverProcess.SECRET_ACCESS_KEY, List.of())) {
            assertEquals(List.of("m"), storage.children(S3Location.parse("s3://" + S3Bucket.BUCKET + "/registry")));
            assertEquals(List.of("1"), storage.children(S3Location.parse("s3://" + S3Bucket.BUCKET + "/registry/m/")));
        }
    }
}
