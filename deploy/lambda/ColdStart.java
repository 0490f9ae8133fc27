import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Cold starts of the Lambda function, measured on this machine: the function's JVM is started as a
 * Lambda custom runtime starts it, against a stand-in for the Lambda Runtime API (the service that
 * hands a function its events; none runs here), which gives it one API Gateway event, a V2 infer of
 * house_price, and times it. Each start gets an empty repository and native-library directory, as
 * a new execution environment has an empty /tmp.
 *
 * <pre>java ColdStart.java RUNS LABEL -- COMMAND... [';;' LABEL -- COMMAND...]...</pre>
 *
 * Several commands are started in turn, RUNS times each, so that load from elsewhere on the machine
 * falls on all of them alike. Prints one line per command: the median time from process start to
 * init done (the function's first request for an event), to the first answer, the most memory the
 * process held by then (VmHWM, what Lambda reports as memory used), and every run's figures.
 */
public final class ColdStart {
    private static final String API = "/2018-06-01/runtime";
    private static final long TIMEOUT_SECONDS = 120;

    private record Run(double initSeconds, double answerSeconds, long peakMiB) {
    }

    private record Variant(String label, List<String> command, List<Run> runs) {
    }

    public static void main(String[] args) throws Exception {
        List<Variant> variants = new ArrayList<>();
        int i = 1;
        while (i + 2 < args.length) {
            if (!args[i + 1].equals("--")) {
                usage();
            }
            int end = i + 2;
            while (end < args.length && !args[end].equals(";;")) {
                end++;
            }
            variants.add(new Variant(args[i], List.of(args).subList(i + 2, end), new ArrayList<>()));
            i = end + 1;
        }
        if (args.length < 4 || variants.isEmpty()) {
            usage();
        }
        int runs = Integer.parseInt(args[0]);
        for (int r = 0; r < runs; r++) {
            for (Variant variant : variants) {
                variant.runs().add(once(variant.command()));
            }
        }
        for (Variant variant : variants) {
            StringBuilder each = new StringBuilder();
            for (Run run : variant.runs()) {
                each.append(String.format(Locale.ROOT, " %.2f/%.2f", run.initSeconds(), run.answerSeconds()));
            }
            System.out.printf(Locale.ROOT, "%s: init %.2f s, first answer %.2f s, %d MiB peak (medians of %d; init/answer each:%s)%n",
                    variant.label(), median(variant.runs().stream().mapToDouble(Run::initSeconds).toArray()),
                    median(variant.runs().stream().mapToDouble(Run::answerSeconds).toArray()),
                    Math.round(median(variant.runs().stream().mapToDouble(Run::peakMiB).toArray())), runs, each);
        }
    }

    private static void usage() {
        System.err.println("usage: java ColdStart.java RUNS LABEL -- COMMAND... [';;' LABEL -- COMMAND...]...");
        System.exit(2);
    }

    private static Run once(List<String> command) throws Exception {
        Path scratch = Files.createTempDirectory("quiver-cold-start-");
        CompletableFuture<Long> initDone = new CompletableFuture<>();
        CompletableFuture<Long> answered = new CompletableFuture<>();
        CountDownLatch stopping = new CountDownLatch(1);
        ExecutorService threads = Executors.newCachedThreadPool();
        HttpServer runtimeApi = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        runtimeApi.setExecutor(threads);
        runtimeApi.createContext(API + "/invocation/next", exchange -> {
            if (!initDone.complete(System.nanoTime())) {
                // One event per start: later polls wait until the function is stopped.
                await(stopping);
                exchange.close();
                return;
            }
            exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", "cold-start-1");
            exchange.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms",
                    Long.toString(System.currentTimeMillis() + 30_000));
            exchange.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
                    "arn:aws:lambda:eu-west-1:123456789012:function:quiver-model-server");
            exchange.getResponseHeaders().add("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000");
            reply(exchange, 200, EVENT);
        });
        runtimeApi.createContext(API + "/invocation/", exchange -> {
            long now = System.nanoTime();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (exchange.getRequestURI().getPath().endsWith("/response") && body.contains("\"statusCode\":200")
                    && body.contains("outputs")) {
                answered.complete(now);
            } else {
                answered.completeExceptionally(new IllegalStateException(
                        exchange.getRequestURI().getPath() + ": " + body));
            }
            reply(exchange, 202, "{}");
        });
        runtimeApi.createContext(API + "/init/error", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            answered.completeExceptionally(new IllegalStateException("init failed: " + body));
            reply(exchange, 202, "{}");
        });
        runtimeApi.start();

        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(scratch.resolve("function.log").toFile());
        builder.environment().put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + runtimeApi.getAddress().getPort());
        builder.environment().put("QUIVER_REPOSITORY", scratch.resolve("tmp/models").toString());
        builder.environment().put("QUIVER_ONNX_NATIVE_DIR", scratch.resolve("tmp/native").toString());
        builder.environment().put("ORT_DISABLE_TELEMETRY", "1");
        long start = System.nanoTime();
        Process function = builder.start();
        try {
            long answer = answered.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return new Run((initDone.getNow(answer) - start) / 1e9, (answer - start) / 1e9, peakMiB(function.pid()));
        } catch (Exception e) {
            System.err.println(Files.readString(scratch.resolve("function.log")));
            throw e;
        } finally {
            stopping.countDown();
            // SIGTERM: the function shuts down as Lambda ends an environment, and a JVM asked to
            // write an AOT cache writes it as it exits.
            function.destroy();
            if (!function.waitFor(60, TimeUnit.SECONDS)) {
                function.destroyForcibly().waitFor();
            }
            runtimeApi.stop(0);
            threads.shutdownNow();
            deleteTree(scratch);
        }
    }

    /** The most resident memory the process has held, from /proc (0 where there is none). */
    private static long peakMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException e) {
            // Not Linux: no figure.
        }
        return 0;
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** An API Gateway HTTP API (payload format 2.0) event: POST /v2/models/house_price/infer. */
    private static final String EVENT = """
            {"version": "2.0", "routeKey": "$default", "rawPath": "/v2/models/house_price/infer", "rawQueryString": "",
             "headers": {"content-type": "application/json", "accept": "application/json"},
             "requestContext": {"accountId": "123456789012", "apiId": "quiver", "stage": "$default",
               "domainName": "quiver.execute-api.eu-west-1.amazonaws.com", "domainPrefix": "quiver",
               "requestId": "cold-start-1", "routeKey": "$default", "timeEpoch": 1764892800000,
               "http": {"method": "POST", "path": "/v2/models/house_price/infer", "protocol": "HTTP/1.1",
                        "sourceIp": "192.0.2.1", "userAgent": "cold-start"}},
             "body": "{\\"inputs\\": [{\\"name\\": \\"features\\", \\"datatype\\": \\"FP32\\", \\"shape\\": [1, 3], \\"data\\": [1500, 4, 12]}]}",
             "isBase64Encoded": false}
            """;
}
