package io.quiver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/lambda/template.yaml deploys what the build packages: the function.zip it names holds the
 * handler it names (the one quarkus-amazon-lambda-http writes into its own SAM template) and the
 * example models, and API Gateway is set up the way the function reads its events.
 */
class LambdaTemplateMatchesThePackageTest {
    private static final Path TEMPLATE = Manifests.ROOT.resolve("deploy/lambda/template.yaml");
    private static final Path BUILD = Manifests.ROOT.resolve("lambda/target");
    /** ONNX Runtime's main library, by platform: libonnxruntime.so, libonnxruntime.dylib, onnxruntime.dll. */
    private static final Pattern NATIVE_LIBRARY = Pattern.compile("ai/onnxruntime/native/([^/]+)/(lib)?onnxruntime\\.(so|dylib|dll)");
    /** API Gateway's HTTP API waits this long for an integration, and no longer. */
    private static final int HTTP_API_TIMEOUT_SECONDS = 30;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode template;
    private static JsonNode function;

    @BeforeAll
    static void readTheTemplate() throws IOException {
        // CloudFormation's short tags (!Ref, !Sub) are read as the plain values they tag.
        template = YAML.readTree(TEMPLATE.toFile());
        function = template.path("Resources").path("ModelServer").path("Properties");
        assertTrue(function.isObject(), TEMPLATE + " has no Resources.ModelServer.Properties");
    }

    @Test
    void theCodeIsTheZipTheBuildWritesAndHoldsTheModels() throws IOException {
        Path zip = TEMPLATE.getParent().resolve(function.path("CodeUri").asText()).normalize();
        assertEquals(BUILD.resolve("function.zip"), zip, "CodeUri");
        assertTrue(Files.isRegularFile(zip), zip + " is written by `./mvnw -pl lambda -am package`");
        try (ZipFile contents = new ZipFile(zip.toFile())) {
            List<String> names = contents.stream().map(ZipEntry::getName).toList();
            for (String model : List.of("house_price/1", "house_price/2", "fraud_classifier/1")) {
                assertTrue(names.contains("quiver-models/" + model + "/model.onnx"), model + " is not in " + zip);
                assertTrue(names.contains("quiver-models/" + model + "/model.json"), model + "'s descriptor is not in " + zip);
            }
            assertTrue(names.stream().anyMatch(n -> n.matches("lib/.*quarkus-amazon-lambda-[0-9].*\\.jar")),
                    "the jar of the handler's class is not in " + zip);
            String onnxRuntime = names.stream().filter(n -> n.matches("lib/.*onnxruntime-[0-9].*\\.jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("ONNX Runtime is not in " + zip));
            List<String> libraries = nativeLibraries(contents, contents.getEntry(onnxRuntime));
            assertEquals(List.of("linux-aarch64", "linux-x64"), libraries,
                    "ONNX Runtime's libraries in " + zip + ": Linux's for both architectures, none other (the package's size)");
        }
    }

    /** The platforms a jar inside the package has ONNX Runtime's library for. */
    private static List<String> nativeLibraries(ZipFile zip, ZipEntry jar) throws IOException {
        List<String> platforms = new ArrayList<>();
        try (ZipInputStream entries = new ZipInputStream(zip.getInputStream(jar))) {
            for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
                Matcher library = NATIVE_LIBRARY.matcher(entry.getName());
                if (library.matches()) {
                    platforms.add(library.group(1));
                }
            }
        }
        Collections.sort(platforms);
        return platforms;
    }

    @Test
    void theHandlerAndRuntimeAreTheOnesQuarkusNames() throws IOException {
        Path generated = BUILD.resolve("sam.jvm.yaml");
        assertTrue(Files.isRegularFile(generated), generated + " is written by `./mvnw -pl lambda -am package`");
        JsonNode quarkus = YAML.readTree(generated.toFile())
                .path("Resources").elements().next().path("Properties");
        assertEquals(quarkus.path("Handler").asText(), function.path("Handler").asText(), "Handler");
        assertEquals(quarkus.path("Runtime").asText(), function.path("Runtime").asText(), "Runtime");
    }

    @Test
    void apiGatewaySendsPayloadTwoPointZeroWithinItsOwnTimeout() {
        JsonNode events = function.path("Events");
        assertEquals(1, events.size(), "one event source");
        JsonNode api = events.elements().next();
        assertEquals("HttpApi", api.path("Type").asText());
        assertEquals("2.0", api.path("Properties").path("PayloadFormatVersion").asText(),
                "quarkus-amazon-lambda-http reads payload format 2.0");
        JsonNode timeout = template.path("Parameters").path("Timeout").path("Default");
        assertTrue(timeout.asInt() > 0 && timeout.asInt() <= HTTP_API_TIMEOUT_SECONDS,
                "a function timeout beyond the HTTP API's " + HTTP_API_TIMEOUT_SECONDS + " s runs on after the client's 503: " + timeout);
    }

    @Test
    void onnxRuntimeSendsNoTelemetry() {
        JsonNode variables = function.path("Environment").path("Variables");
        assertEquals("1", variables.path("ORT_DISABLE_TELEMETRY").asText(), "ORT_DISABLE_TELEMETRY");
        assertTrue(Set.of("x86_64", "arm64").contains(function.path("Architectures").path(0).asText()),
                "an architecture ONNX Runtime's jar has a library for");
    }
}
