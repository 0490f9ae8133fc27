package io.quiver.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A stand-in for an MLflow tracking server, because no real one can run here: MLflow is a Python
 * package and no Python package index is reachable. It serves, on a free loopback port, the shapes
 * MLflow's REST API 2.0 documents ({@code mlflow/protos/model_registry.proto} and the REST API
 * reference) for what Quiver calls: {@code registered-models/search} and {@code model-versions/search}
 * with {@code max_results} and {@code page_token} paging, {@code registered-models/get},
 * {@code model-versions/get}, {@code registered-models/alias},
 * {@code model-versions/get-download-uri}, and the artifact proxy
 * {@code /api/2.0/mlflow-artifacts/artifacts/<path>} serving files below a directory. Errors are
 * MLflow's {@code {"error_code": ..., "message": ...}} with its status codes; with credentials
 * required, a request without them gets the 401 of MLflow's basic-auth app.
 */
public final class MlflowStandIn implements AutoCloseable {
    private static final Pattern NAME_FILTER = Pattern.compile("^\\s*name\\s*=\\s*'([^']*)'\\s*$");

    private final Path artifacts;
    /** Model name to version to its artifact location and status. */
    private final Map<String, Map<String, Version>> models = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> aliases = new ConcurrentHashMap<>();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile int pageSize = Integer.MAX_VALUE;
    private volatile String requiredAuthorization;
    private volatile boolean forbidden;
    private HttpServer server;
    private int port;

    private record Version(String source, String status) {
    }

    /** Starts the server; artifacts are the files below {@code artifacts}. */
    public MlflowStandIn(Path artifacts) {
        this.artifacts = artifacts.toAbsolutePath().normalize();
        start(0);
    }

    /** Registers {@code version} of {@code model}, its files at {@code source} (e.g. {@code mlflow-artifacts:/1/run/artifacts/model}). */
    public MlflowStandIn register(String model, String version, String source) {
        return register(model, version, source, "READY");
    }

    /** As {@link #register(String, String, String)}, with MLflow's registration status. */
    public MlflowStandIn register(String model, String version, String source, String status) {
        models.computeIfAbsent(model, m -> new ConcurrentHashMap<>()).put(version, new Version(source, status));
        return this;
    }

    public MlflowStandIn alias(String model, String alias, String version) {
        aliases.computeIfAbsent(model, m -> new ConcurrentHashMap<>()).put(alias, version);
        return this;
    }

    /** The most a search page holds, whatever {@code max_results} asks: a server may return fewer. */
    public MlflowStandIn pageSize(int size) {
        this.pageSize = size;
        return this;
    }

    /** Every request must carry exactly this {@code Authorization} header; null for none. */
    public MlflowStandIn requireAuthorization(String authorization) {
        this.requiredAuthorization = authorization;
        return this;
    }

    /** Every request is refused with MLflow's 403 {@code PERMISSION_DENIED}, as for a user without permission. */
    public MlflowStandIn forbidden(boolean refused) {
        this.forbidden = refused;
        return this;
    }

    /** The path and query of every request so far, in order. */
    public List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Stops listening, as a tracking server that is down; {@link #restart} listens again on the same port. */
    public synchronized void stop() {
        server.stop(0);
    }

    public synchronized void restart() {
        start(port);
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Writes an MLflow model directory of the example house-price model as MLflow's {@code onnx}
     * flavour saves it: {@code MLmodel} naming {@code model.onnx}, with a column signature of the
     * model's three features.
     */
    public static void writeHousePriceModel(Path directory, int version) {
        writeModel(directory, ExampleModels.housePrice(version), """
                [{"type": "double", "name": "sqft", "required": true}, \
                {"type": "double", "name": "rooms", "required": true}, \
                {"type": "double", "name": "age", "required": true}]""");
    }

    /** An MLflow model directory of {@code onnx} with {@code signatureInputs} as its signature's inputs (a JSON string). */
    public static void writeModel(Path directory, byte[] onnx, String signatureInputs) {
        try {
            Files.createDirectories(directory);
            Files.write(directory.resolve("model.onnx"), onnx);
            Files.writeString(directory.resolve("MLmodel"), """
                    artifact_path: model
                    flavors:
                      onnx:
                        code: null
                        onnx_model: model.onnx
                        onnx_version: 1.16.1
                        providers:
                        - CUDAExecutionProvider
                        - CPUExecutionProvider
                      python_function:
                        data: model.onnx
                        env:
                          conda: conda.yaml
                          virtualenv: python_env.yaml
                        loader_module: mlflow.onnx
                        python_version: 3.11.9
                    mlflow_version: 2.16.2
                    model_size_bytes: %d
                    model_uuid: 3f1c0a0e2b6b4a8f9d0c3e1e5a7b9c2d
                    run_id: 5d1b0f3c9a2e4c7b8e6f0a1d2c3b4a5e
                    signature:
                      inputs: '%s'
                      outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 1]}}]'
                      params: null
                    utc_time_created: '2026-11-30 09:12:44.120394'
                    """.formatted(onnx.length, signatureInputs.replace("'", "''")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void start(int onPort) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try {
                handle(exchange);
            } catch (RuntimeException e) {
                send(exchange, 500, error("INTERNAL_ERROR", String.valueOf(e)));
            } finally {
                exchange.close();
            }
        });
        server.start();
        port = server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        URI uri = exchange.getRequestURI();
        requests.add(uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery());
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (requiredAuthorization != null && !requiredAuthorization.equals(auth)) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"mlflow\"");
            send(exchange, 401, "text/plain", ("You are not authenticated. Please see https://www.mlflow.org/docs/latest/"
                    + "auth/index.html#authenticating-to-mlflow on how to authenticate.").getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (forbidden) {
            send(exchange, 403, error("PERMISSION_DENIED", "Permission denied"));
            return;
        }
        Map<String, String> query = query(uri.getRawQuery());
        String path = uri.getPath();
        if (path.startsWith("/api/2.0/mlflow-artifacts/artifacts/")) {
            artifact(exchange, path.substring("/api/2.0/mlflow-artifacts/artifacts/".length()));
            return;
        }
        switch (path) {
            case "/api/2.0/mlflow/registered-models/search" -> searchModels(exchange, query);
            case "/api/2.0/mlflow/registered-models/get" -> getModel(exchange, query);
            case "/api/2.0/mlflow/model-versions/search" -> searchVersions(exchange, query);
            case "/api/2.0/mlflow/model-versions/get" -> version(exchange, query, query.get("version"));
            case "/api/2.0/mlflow/registered-models/alias" -> alias(exchange, query);
            case "/api/2.0/mlflow/model-versions/get-download-uri" -> downloadUri(exchange, query);
            default -> send(exchange, 404, error("ENDPOINT_NOT_FOUND", "No API endpoint " + path));
        }
    }

    private void searchModels(HttpExchange exchange, Map<String, String> query) throws IOException {
        List<String> names = new ArrayList<>(new TreeMap<>(models).keySet());
        int max = maxResults(query, 100, 1000);
        if (max < 0) {
            send(exchange, 400, error("INVALID_PARAMETER_VALUE", "Invalid value for max_results: must be between 1 and 1000"));
            return;
        }
        page(exchange, query, names, max, "registered_models", name -> {
            Map<String, Version> versions = models.get(name);
            String latest = versions.keySet().stream().max(MlflowStandIn::byNumber).orElse(null);
            return "{\"name\": " + quote(name) + ", \"creation_timestamp\": 1732957964120, "
                    + "\"last_updated_timestamp\": 1732957964120, \"latest_versions\": ["
                    + (latest == null ? "" : versionJson(name, latest, versions.get(latest))) + "], "
                    + "\"aliases\": [" + aliasesOf(name).entrySet().stream().map(a -> "{\"alias\": " + quote(a.getKey())
                    + ", \"version\": " + quote(a.getValue()) + "}").collect(Collectors.joining(", ")) + "]}";
        });
    }

    private void getModel(HttpExchange exchange, Map<String, String> query) throws IOException {
        String name = query.getOrDefault("name", "");
        if (!models.containsKey(name)) {
            send(exchange, 404, error("RESOURCE_DOES_NOT_EXIST", "Registered Model with name=" + name + " not found"));
            return;
        }
        send(exchange, 200, "{\"registered_model\": {\"name\": " + quote(name) + "}}");
    }

    private void searchVersions(HttpExchange exchange, Map<String, String> query) throws IOException {
        Matcher filter = NAME_FILTER.matcher(query.getOrDefault("filter", ""));
        if (!filter.matches()) {
            send(exchange, 400, error("INVALID_PARAMETER_VALUE", "This stand-in takes only the filter name='<model>'"));
            return;
        }
        int max = maxResults(query, 10_000, 200_000);
        if (max < 0) {
            send(exchange, 400, error("INVALID_PARAMETER_VALUE", "Invalid value for max_results"));
            return;
        }
        String name = filter.group(1);
        Map<String, Version> versions = models.getOrDefault(name, Map.of());
        // MLflow orders by last update, newest first; the client must not rely on one order.
        List<String> numbers = versions.keySet().stream().sorted((a, b) -> byNumber(b, a)).toList();
        page(exchange, query, numbers, max, "model_versions", v -> versionJson(name, v, versions.get(v)));
    }

    private void version(HttpExchange exchange, Map<String, String> query, String number) throws IOException {
        String name = query.getOrDefault("name", "");
        Version version = number == null ? null : models.getOrDefault(name, Map.of()).get(number);
        if (version == null) {
            send(exchange, 404, error("RESOURCE_DOES_NOT_EXIST", "Model Version (name=" + name + ", version=" + number
                    + ") not found"));
            return;
        }
        send(exchange, 200, "{\"model_version\": " + versionJson(name, number, version) + "}");
    }

    private void alias(HttpExchange exchange, Map<String, String> query) throws IOException {
        String name = query.getOrDefault("name", "");
        String version = aliasesOf(name).get(query.getOrDefault("alias", ""));
        if (version == null) {
            send(exchange, 404, error("RESOURCE_DOES_NOT_EXIST", "Registered model alias " + query.get("alias")
                    + " not found."));
            return;
        }
        version(exchange, query, version);
    }

    private void downloadUri(HttpExchange exchange, Map<String, String> query) throws IOException {
        String name = query.getOrDefault("name", "");
        Version version = models.getOrDefault(name, Map.of()).get(query.getOrDefault("version", ""));
        if (version == null) {
            send(exchange, 404, error("RESOURCE_DOES_NOT_EXIST", "Model Version (name=" + name + ", version="
                    + query.get("version") + ") not found"));
            return;
        }
        send(exchange, 200, "{\"artifact_uri\": " + quote(version.source()) + "}");
    }

    private void artifact(HttpExchange exchange, String relative) throws IOException {
        Path file = artifacts.resolve(relative).normalize();
        if (!file.startsWith(artifacts) || !Files.isRegularFile(file)) {
            send(exchange, 404, error("RESOURCE_DOES_NOT_EXIST", "File not found: " + relative));
            return;
        }
        send(exchange, 200, "application/octet-stream", Files.readAllBytes(file));
    }

    private interface Json<T> {
        String of(T item);
    }

    private <T> void page(HttpExchange exchange, Map<String, String> query, List<T> items, int max, String field,
                          Json<T> json) throws IOException {
        int from = 0;
        String token = query.get("page_token");
        if (token != null) {
            try {
                from = Integer.parseInt(new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                send(exchange, 400, error("INVALID_PARAMETER_VALUE", "Invalid page token"));
                return;
            }
        }
        int to = Math.min(items.size(), from + Math.min(max, pageSize));
        String body = "{\"" + field + "\": [" + items.subList(Math.min(from, to), to).stream().map(json::of)
                .collect(Collectors.joining(", ")) + "]"
                + (to < items.size() ? ", \"next_page_token\": " + quote(Base64.getEncoder().encodeToString(
                        Integer.toString(to).getBytes(StandardCharsets.UTF_8))) : "") + "}";
        send(exchange, 200, body);
    }

    private String versionJson(String name, String number, Version version) {
        List<String> pointing = aliasesOf(name).entrySet().stream().filter(a -> a.getValue().equals(number))
                .map(Map.Entry::getKey).sorted().toList();
        return "{\"name\": " + quote(name) + ", \"version\": " + quote(number)
                + ", \"creation_timestamp\": 1732957964120, \"last_updated_timestamp\": 1732957964120"
                + ", \"current_stage\": \"None\", \"description\": \"\", \"source\": " + quote(version.source())
                + ", \"run_id\": \"5d1b0f3c9a2e4c7b8e6f0a1d2c3b4a5e\", \"status\": " + quote(version.status())
                + ", \"run_link\": \"\", \"aliases\": [" + pointing.stream().map(MlflowStandIn::quote)
                .collect(Collectors.joining(", ")) + "]}";
    }

    private Map<String, String> aliasesOf(String name) {
        return new TreeMap<>(aliases.getOrDefault(name, Map.of()));
    }

    private static int maxResults(Map<String, String> query, int byDefault, int most) {
        String given = query.get("max_results");
        try {
            int max = given == null ? byDefault : Integer.parseInt(given);
            return max < 1 || max > most ? -1 : max;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int byNumber(String a, String b) {
        return Long.compare(Long.parseLong(a), Long.parseLong(b));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                query.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }

    private static String error(String code, String message) {
        return "{\"error_code\": " + quote(code) + ", \"message\": " + quote(message) + "}";
    }

    private static String quote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                default -> quoted.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return quoted.append('"').toString();
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        send(exchange, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
