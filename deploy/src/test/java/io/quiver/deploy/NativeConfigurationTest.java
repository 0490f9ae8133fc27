package io.quiver.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What the model-server's native build hands GraalVM, read where no GraalVM is installed: the
 * sources a native build would compile, written by
 * {@code ./mvnw -pl model-server -am -Pnative -Dquarkus.native.sources-only=true -DskipTests package}
 * (docs/deploy.md, "Native images"). ONNX Runtime must start at run time, not at build time, find
 * its native libraries among the image's resources, and have its JNI callbacks registered.
 * Skipped, saying so, unless those sources were written.
 */
class NativeConfigurationTest {

    static final Path SOURCES = Manifests.ROOT.resolve("model-server/target/native-sources");

    @Test
    void onnxRuntimeIsInitialisedAtRunTimeWithItsLibrariesAndJniRegistered() throws Exception {
        assumeTrue(Files.isRegularFile(SOURCES.resolve("native-image.args")), "no native sources in " + SOURCES
                + ": write them with ./mvnw -pl model-server -am -Pnative -Dquarkus.native.sources-only=true -DskipTests package");
        String args = Files.readString(SOURCES.resolve("native-image.args"));
        assertTrue(args.contains("--initialize-at-run-time=ai.onnxruntime,io.quiver.server.inference.OnnxModel"), args);
        assertTrue(args.contains("--no-fallback"), "a native build fails rather than falling back to a JVM image");
        Path jar;
        try (var files = Files.list(SOURCES)) {
            jar = files.filter(f -> f.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            String resources = new String(zip.getInputStream(zip.getEntry("META-INF/native-image/resource-config.json")).readAllBytes());
            assertTrue(resources.contains("ai/onnxruntime/native/linux-x64/"), "ONNX Runtime's libraries go into the image: " + resources);
            var jni = zip.getEntry("META-INF/native-image/io.quiver/model-server/jni-config.json");
            assertTrue(jni != null, "the JNI configuration for ONNX Runtime's callbacks is in the native build's jar");
            String jniConfig = new String(zip.getInputStream(jni).readAllBytes());
            for (String type : List.of("ai.onnxruntime.OnnxTensor", "ai.onnxruntime.TensorInfo", "ai.onnxruntime.NodeInfo")) {
                assertTrue(jniConfig.contains("\"" + type + "\""), type + " is registered for JNI");
            }
        }
    }
}
