package io.quiver.server.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.server.testing.ExampleRepository;
import io.quiver.server.testing.Wire;
import io.restassured.RestAssured;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code bash} block of the user docs that starts with {@code curl} is run, in document order,
 * with the real curl against this server, and must get a 2xx answer: the examples users copy work.
 */
@QuarkusTest
@WithTestResource(ExampleRepository.class)
class DocumentedExamplesWorkTest {
    private static final List<String> DOCUMENTS = List.of("quickstart.md", "model-server/api.md", "training.md");

    @TestFactory
    Stream<DynamicTest> everyCurlExampleInTheDocsSucceeds() throws IOException, InterruptedException {
        Wire.awaitReady();
        List<DynamicTest> tests = new ArrayList<>();
        for (String document : DOCUMENTS) {
            Path file = Path.of("..", "docs").resolve(document);
            for (Example example : examples(file)) {
                tests.add(DynamicTest.dynamicTest(document + ":" + example.line(), () -> run(example)));
            }
        }
        assertTrue(tests.size() >= 15, "found only " + tests.size() + " examples");
        return tests.stream();
    }

    private static void run(Example example) throws Exception {
        String command = example.command().replace("localhost:8080", "localhost:" + RestAssured.port)
                + " -w '\\n%{http_code}'";
        Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "curl did not finish: " + example.command());
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String status = output.substring(output.lastIndexOf('\n') + 1);
        assertTrue(process.exitValue() == 0 && status.startsWith("2"),
                "example at line " + example.line() + " answered " + output + "\n" + example.command());
    }

    private record Example(int line, String command) {
    }

    private static List<Example> examples(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).trim().equals("```bash")) {
                continue;
            }
            int start = i + 1;
            StringBuilder block = new StringBuilder();
            for (i = start; i < lines.size() && !lines.get(i).trim().equals("```"); i++) {
                block.append(lines.get(i)).append('\n');
            }
            if (block.toString().startsWith("curl")) {
                examples.add(new Example(start, block.toString().trim()));
            }
        }
        return examples;
    }
}
