package io.quiver.examples;

import java.io.IOException;
import java.net.URI;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * A real S3-protocol server for tests of {@code s3://} sources: the npm package {@code s3rver},
 * installed into {@code <repository>/.tools} ({@code npm install --prefix .tools s3rver}; {@code .ci/run}
 * does it when missing), run on a free loopback port with its data in a fresh directory. It checks
 * request signatures against its one key pair, {@link #ACCESS_KEY_ID} and {@link #SECRET_ACCESS_KEY}.
 */
public final class S3rverProcess implements AutoCloseable {
    public static final String ACCESS_KEY_ID = "S3RVER";
    public static final String SECRET_ACCESS_KEY = "S3RVER";
    private static final Pattern LISTENING = Pattern.compile("S3rver listening on [^:]+:(\\d+)");

    private final ServerProcess server;

    /** Starts the server with {@code buckets} created, and returns once it listens. */
    public S3rverProcess(String... buckets) {
        Path data;
        try {
            data = Files.createTempDirectory("quiver-s3rver-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start s3rver", e);
        }
        List<String> command = new ArrayList<>(List.of(executable().toString(), "-d", data.toString(),
                "-a", "127.0.0.1", "-p", "0", "--no-vhost-buckets"));
        for (String bucket : buckets) {
            command.add("--configure-bucket");
            command.add(bucket);
        }
        server = new ServerProcess("s3rver", command, data, LISTENING);
    }

    /** The endpoint to give an S3 client, path-style. */
    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    /**
     * A client of this server with its key pair, for putting test objects. The AWS SDK is the
     * caller's (both services have it through quiver-common), so this module does not bring it.
     */
    public S3Client client() {
        return S3Client.builder().endpointOverride(URI.create(endpoint())).forcePathStyle(true)
                .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                // s3rver stores an aws-chunked upload (the SDK's default over http, and with its
                // default checksums) as is, chunk headers and all: plain bodies instead.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        ACCESS_KEY_ID, SECRET_ACCESS_KEY)))
                .build();
    }

    public int port() {
        return server.port();
    }

    /** Stops the server, as a bucket that is down, keeping its port unanswered. */
    @Override
    public void close() {
        server.close();
    }

    /** {@code .tools/node_modules/.bin/s3rver} in the working directory or the nearest parent that has it. */
    private static Path executable() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(".tools/node_modules/.bin/s3rver");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("s3rver is not installed: run `npm install --prefix .tools s3rver` "
                + "at the repository root (.ci/run does this when it is missing)");
    }
}
