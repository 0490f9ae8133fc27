package io.quiver.server.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quiver.examples.S3rverProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server ({@link S3rverProcess}) for the test class, with bucket {@value #BUCKET} holding
 * the example repository below {@value #PREFIX}, and the server configured to read it.
 */
public class S3Bucket implements QuarkusTestResourceLifecycleManager {
    public static final String BUCKET = "quiver-models";
    public static final String PREFIX = "registry";
    private static S3rverProcess server;

    @Override
    public Map<String, String> start() {
        server = new S3rverProcess(BUCKET);
        try (S3Client client = client(server)) {
            upload(client, ExampleRepository.outside(), PREFIX);
        }
        return Map.of("quiver.s3.endpoint", server.endpoint(),
                "quiver.s3.access-key-id", S3rverProcess.ACCESS_KEY_ID,
                "quiver.s3.secret-access-key", S3rverProcess.SECRET_ACCESS_KEY);
    }

    @Override
    public void stop() {
        server.close();
    }

    public static S3rverProcess server() {
        return server;
    }

    /** A client of {@code server} with its key pair, for putting test objects. */
    public static S3Client client(S3rverProcess server) {
        return server.client();
    }

    /** Every file below {@code dir}, as {@code <prefix>/<relative path>} in the bucket. */
    public static void upload(S3Client client, Path dir, String prefix) {
        upload(client, BUCKET, dir, prefix);
    }

    /** Every file below {@code dir}, as {@code <prefix>/<relative path>} in {@code bucket}. */
    public static void upload(S3Client client, String bucket, Path dir, String prefix) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).forEach(file -> client.putObject(r -> r.bucket(bucket)
                    .key(prefix + "/" + dir.relativize(file).toString().replace('\\', '/')), RequestBody.fromFile(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
