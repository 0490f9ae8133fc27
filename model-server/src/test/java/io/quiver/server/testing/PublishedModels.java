package io.quiver.server.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

/**
 * Real models that third parties publish, fetched once from the npm registry (the package
 * registry every Quiver machine reaches) into {@code target/published-models/} and never
 * committed. Each package is pinned to one version and its registry {@code dist.integrity}
 * (SHA-512 of the tarball), so a test always runs the same bytes; the tarball is read with the
 * JDK alone.
 */
public final class PublishedModels {
    /** {@code @ricky0123/vad-web}, which ships Silero VAD's ONNX files in {@code dist/}. */
    static final String VAD_WEB_TARBALL = "https://registry.npmjs.org/@ricky0123/vad-web/-/vad-web-0.0.31.tgz";
    static final String VAD_WEB_INTEGRITY =
            "sha512-ePVq8TvB21sdHSxVMZOEIf9JVa7MAYpaIaNXeGgsPOiMCN8xbPCdF2LS5aYj7VRR3ZxzutedgV9ZplV65IA1Fg==";

    /**
     * Silero VAD v5 (snakers4/silero-vad, MIT), as vad-web 0.0.31 ships it: inputs {@code input}
     * FP32 {@code [batch, samples]} (512 samples a chunk at 16 kHz), {@code state} FP32
     * {@code [2, batch, 128]} and {@code sr} INT64 of rank 0; outputs {@code output} FP32
     * {@code [batch, 1]}, the speech probability, and {@code stateN}, the state for the next chunk.
     */
    public static final String SILERO_VAD_V5 = "silero_vad_v5.onnx";
    /** Silero VAD v6, same signature as v5. */
    public static final String SILERO_VAD_V6 = "silero_vad_v6.onnx";

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private PublishedModels() {
    }

    /** The cached file of one of vad-web's models, downloading and checking the package on first use. */
    public static synchronized Path sileroVad(String file) throws IOException {
        Path cached = cacheDirectory().resolve(file);
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        if (!file.equals(SILERO_VAD_V5) && !file.equals(SILERO_VAD_V6)) {
            throw new IllegalArgumentException("vad-web ships " + SILERO_VAD_V5 + " and " + SILERO_VAD_V6 + ", not " + file);
        }
        byte[] tarball = download(VAD_WEB_TARBALL, VAD_WEB_INTEGRITY);
        for (String model : new String[] {SILERO_VAD_V5, SILERO_VAD_V6}) {
            writeAtomically(cacheDirectory().resolve(model), extract(tarball, "package/dist/" + model));
        }
        return cached;
    }

    /** Below the build directory of the module under test, so {@code mvn clean} removes it and git ignores it. */
    static Path cacheDirectory() {
        return Paths.get("target", "published-models").toAbsolutePath();
    }

    static byte[] download(String url, String integrity) throws IOException {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + url, e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("GET " + url + " answered " + response.statusCode());
        }
        checkIntegrity(url, response.body(), integrity);
        return response.body();
    }

    /** npm's Subresource Integrity string: {@code sha512-} and the base64 digest. */
    static void checkIntegrity(String what, byte[] content, String integrity) throws IOException {
        if (!integrity.startsWith("sha512-")) {
            throw new IllegalArgumentException("only sha512 integrity is pinned here: " + integrity);
        }
        String actual;
        try {
            actual = "sha512-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-512").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-512", e);
        }
        if (!actual.equals(integrity)) {
            throw new IOException(what + " is not the pinned package: integrity " + actual + ", expected " + integrity);
        }
    }

    /** One regular file of a gzipped tar archive (ustar, with pax or GNU long-name headers skipped). */
    static byte[] extract(byte[] tgz, String entryName) throws IOException {
        try (InputStream tar = new GZIPInputStream(new ByteArrayInputStream(tgz))) {
            byte[] header = new byte[512];
            while (tar.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                String path = prefix.isEmpty() ? name : prefix + "/" + name;
                long size = Long.parseLong(field(header, 124, 12).trim(), 8);
                char type = (char) header[156];
                long padded = (size + 511) / 512 * 512;
                if ((type == '0' || type == 0) && path.equals(entryName)) {
                    byte[] content = tar.readNBytes(Math.toIntExact(size));
                    if (content.length != size) {
                        throw new IOException(entryName + " is cut short in the archive");
                    }
                    return content;
                }
                tar.skipNBytes(padded);
            }
        }
        throw new IOException("no " + entryName + " in the archive");
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static void writeAtomically(Path target, byte[] content) throws IOException {
        Files.createDirectories(target.getParent());
        Path temporary = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.write(temporary, content);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
