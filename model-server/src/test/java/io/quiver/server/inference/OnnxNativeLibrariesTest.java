package io.quiver.server.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native libraries are copied once per version and platform and reused by later starts,
 * instead of a new 21 MB directory under /tmp per start.
 */
class OnnxNativeLibrariesTest {
    private static final String LIBRARY = System.mapLibraryName("onnxruntime");

    @TempDir
    Path root;

    @Test
    void copiesTheLibrariesOnceIntoADirectoryOfThisUserAlone() throws IOException {
        Path dir = OnnxNativeLibraries.copy(root).orElseThrow();
        assertTrue(dir.getFileName().toString().contains(OnnxNativeLibraries.platform()), dir.toString());
        assertEquals(jarSize(LIBRARY), Files.size(dir.resolve(LIBRARY)));
        assertTrue(Files.size(dir.resolve(System.mapLibraryName("onnxruntime4j_jni"))) > 0);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));

        FileTime marked = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        Files.setLastModifiedTime(dir.resolve(LIBRARY), marked);
        assertEquals(dir, OnnxNativeLibraries.copy(root).orElseThrow());
        assertEquals(marked, Files.getLastModifiedTime(dir.resolve(LIBRARY)), "a later start reuses the copy");
    }

    @Test
    void replacesACopyThatDiffers() throws IOException {
        Path dir = OnnxNativeLibraries.copy(root).orElseThrow();
        Files.write(dir.resolve(LIBRARY), new byte[] {1, 2, 3});
        OnnxNativeLibraries.copy(root);
        assertEquals(jarSize(LIBRARY), Files.size(dir.resolve(LIBRARY)));
        try (var leftovers = Files.list(dir)) {
            assertEquals(2, leftovers.count(), "no partial copies are left behind");
        }
    }

    @Test
    void refusesADirectoryOthersMayWriteTo() throws IOException {
        Path shared = Files.createDirectory(root.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException refused = assertThrows(IOException.class, () -> OnnxNativeLibraries.copy(shared));
        assertTrue(refused.getMessage().contains("others may write"), refused.getMessage());
    }

    private static long jarSize(String name) throws IOException {
        try (InputStream in = OrtEnvironment.class.getResourceAsStream(
                "/ai/onnxruntime/native/" + OnnxNativeLibraries.platform() + "/" + name)) {
            return in.readAllBytes().length;
        }
    }
}
