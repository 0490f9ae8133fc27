package io.quiver.manager.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Headless Chromium driven through chromedriver's W3C WebDriver API, spoken over the JDK's HTTP
 * client: Debian's {@code chromium} and {@code chromium-driver}, no Selenium and no Node. WebDriver
 * is a written standard that chromedriver keeps for every Chromium it ships with, so nothing here
 * ties the test to a browser version, and nothing is downloaded at run time (Selenium Manager would
 * try). What a test does through it is what a user does: open a page, type into a field, click.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** The W3C name of an element reference in WebDriver's JSON. */
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final Duration STARTUP = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final Process driver;
    private final URI base;
    private String session;

    /** Whether Debian's chromium and chromium-driver are installed (.ci/run installs them). */
    static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /** Starts chromedriver on a free loopback port, logging into {@code logDir}, and a headless window of that size. */
    static Browser start(Path logDir, int width, int height) throws IOException {
        int port = Mesh.freePort();
        Files.createDirectories(logDir);
        Process driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port,
                "--log-path=" + logDir.resolve("chromedriver.log"))
                .redirectErrorStream(true).redirectOutput(logDir.resolve("chromedriver.out").toFile()).start();
        Browser browser = new Browser(driver, URI.create("http://127.0.0.1:" + port + "/"));
        try {
            browser.awaitDriver();
            browser.newSession(logDir.resolve("profile"), width, height);
        } catch (RuntimeException e) {
            browser.close();
            throw e;
        }
        return browser;
    }

    private Browser(Process driver, URI base) {
        this.driver = driver;
        this.base = base;
    }

    private void awaitDriver() {
        Mesh.await("chromedriver to be ready", STARTUP, () -> {
            if (!driver.isAlive()) {
                throw new IllegalStateException("chromedriver exited with " + driver.exitValue());
            }
            try {
                return send("GET", "status", null).path("value").path("ready").asBoolean();
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof ConnectException) {
                    return false;
                }
                throw e;
            }
        });
    }

    private void newSession(Path profile, int width, int height) {
        ObjectNode capabilities = Http.JSON.createObjectNode();
        ObjectNode always = capabilities.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        ObjectNode chrome = always.putObject("goog:chromeOptions");
        chrome.put("binary", CHROMIUM.toString());
        ArrayNode args = chrome.putArray("args");
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height).forEach(args::add);
        session = send("POST", "session", capabilities).path("value").path("sessionId").asText();
    }

    void open(URI page) {
        command("POST", "url", Http.JSON.createObjectNode().put("url", page.toString()));
    }

    /** Runs {@code script} (a function body; {@code return} gives the value) in the page. */
    JsonNode run(String script) {
        ObjectNode body = Http.JSON.createObjectNode().put("script", script);
        body.putArray("args");
        return command("POST", "execute/sync", body);
    }

    /** The first element matching {@code css}, if the page has one now. */
    Optional<String> find(String css) {
        ArrayNode found = (ArrayNode) command("POST", "elements",
                Http.JSON.createObjectNode().put("using", "css selector").put("value", css));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0).path(ELEMENT).asText());
    }

    /** Waits for an element matching {@code css} to be on the page. */
    String await(String css, Duration timeout) {
        return Mesh.await("an element " + css + " on the page", timeout, () -> find(css));
    }

    void click(String element) {
        command("POST", "element/" + element + "/click", Http.JSON.createObjectNode());
    }

    /** Types as a user does: the keys of {@code text} into the element, after what it holds. */
    void type(String element, String text) {
        command("POST", "element/" + element + "/value", Http.JSON.createObjectNode().put("text", text));
    }

    /** Selects what the field holds (Ctrl+A) and types {@code text} over it. */
    void typeOver(String element, String text) {
        // U+E009 is Control, held until U+E000 releases every modifier.
        type(element, "\uE009a\uE000" + text);
    }

    /** A PNG of the window as it is now. */
    byte[] screenshot() {
        return Base64.getDecoder().decode(command("GET", "screenshot", null).asText());
    }

    private JsonNode command(String method, String path, JsonNode body) {
        JsonNode answer = send(method, "session/" + session + "/" + path, body);
        return answer.path("value");
    }

    private JsonNode send(String method, String path, JsonNode body) {
        HttpRequest.BodyPublisher content = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.toString());
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").method(method, content).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode answer = Http.JSON.readTree(response.body());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("WebDriver " + method + " /" + path + " answered HTTP "
                        + response.statusCode() + ": " + answer.path("value").path("message").asText(response.body()));
            }
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException("WebDriver " + method + " /" + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted talking to chromedriver", e);
        }
    }

    /** Ends the session, which closes Chromium, then stops chromedriver. */
    @Override
    public void close() {
        try {
            if (session != null) {
                send("DELETE", "session/" + session, null);
            }
        } catch (RuntimeException e) {
            System.out.println("[browser] could not end the WebDriver session: " + e.getMessage());
        } finally {
            driver.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            driver.destroyForcibly();
        }
    }
}
