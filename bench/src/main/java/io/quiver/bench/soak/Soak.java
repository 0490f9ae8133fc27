package io.quiver.bench.soak;

import io.quiver.bench.GrpcRequests;
import io.quiver.bench.OpenLoop;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * The soak's load and report ({@code bench/soak} starts the processes, kills and restarts a replica,
 * and runs this). For the length of the run, in windows of {@code --report-seconds}:
 * <ul>
 * <li>open-loop streams at fixed, modest rates ({@link OpenLoop}, one run per stream per window) of
 * predictions over every protocol: through the manager {@code /predict}, V2 REST with JSON and with
 * binary tensors, gRPC {@code ModelInfer} and the experiment's A/B endpoint; straight to the steady
 * replica the same V2 and gRPC calls and the reference documents' {@code /predict},
 * {@code /v1/infer} and MLflow {@code /invocations}; and one V2 stream straight to the replica that
 * is killed, whose failures while it is down are failures by design, labelled so;
 * <li>{@link ControlLoad}'s registrations, experiment weights, model loads, unloads and evictions
 * and training jobs;
 * <li>a sample of every process ({@link ProcessSampler}) during each window.
 * </ul>
 * A window of the same load before the run (default a minute) warms the services' JIT and is
 * printed, not counted.
 * Each window prints a line of requests, failures by cause, p50 and p99, the faults of the window
 * and a row per process; the end prints the totals per stream and operation, each process's trends
 * ({@link Trend}) after the warm-up, and the verdict: exit status 0 when no request failed other
 * than by design and no judged figure grew beyond its limit, 1 otherwise.
 */
public final class Soak {
    private Soak() {
    }

    /** One open-loop stream: what it sends, where, how often; {@code replica} names the process it hits straight. */
    record Stream(String name, String url, OpenLoop.Protocol protocol, byte[] body, List<String[]> headers,
            double rate, int connections, String replica) {
    }

    record Settings(String manager, String steady, String steadyGrpc, String killedName, String killed, Path processes,
            Path events,
            double minutes, double reportSeconds, double warmupMinutes, double loadWarmupSeconds, double rateScale,
            double rssLimitMib, double threadLimit, double fdLimit) {
    }

    /**
     * How long a request may go unanswered before it counts as failed: the manager's own default
     * wait for a replica (30 s), so that a request the mesh would still answer is not failed here.
     */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("Soak: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(settings) ? 0 : 1);
    }

    static final String USAGE = """
            usage: Soak --manager URL --steady URL --killed NAME=URL --processes FILE --events FILE [options]
              --steady-grpc URL     where the steady replica serves gRPC (default --steady: on its HTTP port)
              --minutes N           length of the run (default 30)
              --report-seconds S    a report every S seconds (default 60)
              --warmup-minutes N    samples of a process younger than this are not judged (default 5)
              --load-warmup-seconds S  load before the run, shown and not counted (default 60)
              --rate-scale F        multiplies every stream's rate (default 1: 31 requests/s in all)
              --rss-limit MIB       growth of resident memory per 10 min that fails (default 10)
              --thread-limit N      growth of threads per 10 min that fails (default 2)
              --fd-limit N          growth of open descriptors per 10 min that fails (default 5)""";

    static Settings parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            values.put(args[i].substring(2), args[i + 1]);
        }
        for (String required : List.of("manager", "steady", "killed", "processes", "events")) {
            if (!values.containsKey(required)) {
                throw new IllegalArgumentException("--" + required + " is required");
            }
        }
        String[] killed = values.get("killed").split("=", 2);
        if (killed.length != 2) {
            throw new IllegalArgumentException("--killed is NAME=URL, not " + values.get("killed"));
        }
        Settings settings = new Settings(values.get("manager"), values.get("steady"),
                values.getOrDefault("steady-grpc", values.get("steady")), killed[0], killed[1],
                Path.of(values.get("processes")), Path.of(values.get("events")), number(values, "minutes", 30),
                number(values, "report-seconds", 60), number(values, "warmup-minutes", 5),
                number(values, "load-warmup-seconds", 60),
                number(values, "rate-scale", 1), number(values, "rss-limit", 10), number(values, "thread-limit", 2),
                number(values, "fd-limit", 5));
        if (!(settings.minutes() > 0 && settings.reportSeconds() >= 5 && settings.rateScale() > 0)) {
            throw new IllegalArgumentException("--minutes and --rate-scale must be positive, --report-seconds at least 5");
        }
        return settings;
    }

    private static double number(Map<String, String> values, String name, double fallback) {
        String value = values.remove(name);
        try {
            return value == null ? fallback : Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " takes a number, not " + value);
        }
    }

    /** The streams, with the rates of a run on two shared cores: 31 requests a second in all. */
    static List<Stream> streams(Settings settings) {
        byte[] v2 = ("{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 3], \"datatype\": \"FP32\","
                + " \"data\": [1200.0, 3.0, 10.0]}]}").getBytes(StandardCharsets.UTF_8);
        byte[] binaryHeader = ("{\"inputs\":[{\"name\":\"features\",\"shape\":[1,3],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":12}}]}").getBytes(StandardCharsets.UTF_8);
        byte[] binary = new byte[binaryHeader.length + 12];
        System.arraycopy(binaryHeader, 0, binary, 0, binaryHeader.length);
        java.nio.ByteBuffer.wrap(binary, binaryHeader.length, 12).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putFloat(1200f).putFloat(3f).putFloat(10f);
        byte[] grpc = GrpcRequests.modelInfer("house_price", "features", new long[] {1, 3}, new float[] {1200f, 3f, 10f});
        byte[] predict = json("{\"model_type\": \"regression\", \"data\": [1200.0, 3.0, 10.0]}");
        byte[] ab = json("{\"features\": {\"sqft\": 1200.0, \"rooms\": 3, \"age\": 10}}");
        byte[] v1 = json("{\"model_id\": \"house_price\", \"inputs\": [{\"sqft\": 1200.0, \"rooms\": 3, \"age\": 10}]}");
        byte[] invocations = json("{\"dataframe_records\": [{\"sqft\": 1200.0, \"rooms\": 3, \"age\": 10}]}");
        List<String[]> jsonType = List.<String[]>of(new String[] {"Content-Type", "application/json"});
        List<String[]> binaryType = List.of(new String[] {"Content-Type", "application/octet-stream"},
                new String[] {"Inference-Header-Content-Length", Integer.toString(binaryHeader.length)});
        String m = settings.manager();
        String s = settings.steady();
        String v2Path = "/v2/models/house_price/infer";
        OpenLoop.Protocol http = OpenLoop.Protocol.HTTP1;
        OpenLoop.Protocol grpcCall = OpenLoop.Protocol.GRPC;
        List<Stream> streams = List.of(
                new Stream("manager /predict", m + "/predict", http, predict, jsonType, 6, 4, null),
                new Stream("manager V2 JSON", m + v2Path, http, v2, jsonType, 6, 4, null),
                new Stream("manager V2 binary", m + v2Path, http, binary, binaryType, 3, 2, null),
                new Stream("manager gRPC", m + OpenLoop.MODEL_INFER, grpcCall, grpc, List.of(), 6, 1, null),
                new Stream("manager A/B", m + "/api/v1/ab/predictions", http, ab, jsonType, 3, 2, null),
                new Stream("steady V2 JSON", s + v2Path, http, v2, jsonType, 1, 1, null),
                new Stream("steady V2 binary", s + v2Path, http, binary, binaryType, 1, 1, null),
                new Stream("steady gRPC", settings.steadyGrpc() + OpenLoop.MODEL_INFER, grpcCall, grpc, List.of(), 1, 1, null),
                new Stream("steady /predict", s + "/predict", http, predict, jsonType, 1, 1, null),
                new Stream("steady /v1/infer", s + "/v1/infer", http, v1, jsonType, 1, 1, null),
                new Stream("steady /invocations", s + "/invocations", http, invocations, jsonType, 1, 1, null),
                new Stream("killed V2 JSON", settings.killed() + v2Path, http, v2, jsonType, 1, 1,
                        settings.killedName()));
        return streams.stream().map(stream -> new Stream(stream.name(), stream.url(), stream.protocol(), stream.body(),
                stream.headers(), stream.rate() * settings.rateScale(), stream.connections(), stream.replica()))
                .toList();
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static boolean run(Settings settings) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Ledger ledger = new Ledger();
        ProcessSampler sampler = new ProcessSampler(settings.processes(), client);
        Faults faults = new Faults(settings.events());
        List<Stream> streams = streams(settings);
        ExecutorService executor = Executors.newCachedThreadPool();
        Report report = new Report(settings);
        report.header(streams);
        // The experiment the A/B stream asks for exists before the first request.
        ControlLoad.setUp(client, settings.manager(), ledger);
        if (settings.loadWarmupSeconds() > 0) {
            // The services' JIT compiles for their first minute of load, and on a loaded machine
            // their first answers can take longer than a client waits: a soak is about what comes
            // after, so this minute is shown and not counted.
            Ledger warmup = new Ledger();
            long from = System.currentTimeMillis();
            for (Future<?> future : startWindow(executor, streams, settings.loadWarmupSeconds(), warmup, faults, from)) {
                future.get();
            }
            Tally all = new Tally();
            warmup.total().values().forEach(tally -> tally.addTo(all));
            System.out.printf(Locale.ROOT, "warm-up (%.3g s, not counted): %d requests, %d failed (%s), p50 %.2f ms,"
                    + " p99 %.2f ms%n", settings.loadWarmupSeconds(), all.requests(), all.failed(),
                    format(all.failures()), all.millis(50), all.millis(99));
        }
        long runNanos = Math.round(settings.minutes() * 60e9);
        int windows = (int) Math.ceil(settings.minutes() * 60 / settings.reportSeconds());
        long start = System.nanoTime();
        report.started(System.currentTimeMillis());
        ControlLoad control = new ControlLoad(client, settings.manager(), settings.steady(), ledger, start,
                start + runNanos);
        Thread controlThread = new Thread(control, "soak-control");
        controlThread.setDaemon(true);
        controlThread.start();
        try {
            for (int window = 0; window < windows; window++) {
                double seconds = Math.min(settings.reportSeconds(), settings.minutes() * 60 - window * settings.reportSeconds());
                long windowFrom = System.currentTimeMillis();
                List<Future<?>> running = startWindow(executor, streams, seconds, ledger, faults, windowFrom);
                List<ProcessSampler.Sample> samples = sampler.sample();
                for (Future<?> future : running) {
                    future.get();
                }
                report.window(window + 1, ledger.closeWindow(), samples,
                        faults.between(windowFrom, System.currentTimeMillis()));
            }
        } finally {
            executor.shutdownNow();
        }
        controlThread.join(Duration.ofSeconds(60).toMillis());
        return report.end(ledger.total(), ledger.notes());
    }

    private static List<Future<?>> startWindow(ExecutorService executor, List<Stream> streams, double seconds,
            Ledger ledger, Faults faults, long windowFrom) {
        List<Future<?>> running = new ArrayList<>();
        for (Stream stream : streams) {
            running.add(executor.submit(() -> runStream(stream, seconds, ledger, faults, windowFrom)));
        }
        return running;
    }

    private static void runStream(Stream stream, double seconds, Ledger ledger, Faults faults, long windowFrom) {
        OpenLoop.Options options = new OpenLoop.Options(URI.create(stream.url()), "POST", stream.body(),
                stream.headers(), stream.rate(), Duration.ofMillis(Math.round(seconds * 1000)), Duration.ZERO,
                stream.connections(), 1000, TIMEOUT, stream.protocol(), 0, 100);
        try {
            OpenLoop.Result result = OpenLoop.run(options);
            boolean byDesign = stream.replica() != null
                    && faults.downBetween(stream.replica(), windowFrom, System.currentTimeMillis());
            ledger.add(stream.name(), result, byDesign);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // No connection could be opened (Netty rethrows the ConnectException unchecked): every
            // request of the window failed unsent.
            boolean byDesign = stream.replica() != null
                    && faults.downBetween(stream.replica(), windowFrom, System.currentTimeMillis());
            ledger.unsent(stream.name(), Math.round(stream.rate() * seconds),
                    (byDesign ? Tally.BY_DESIGN : "") + "refused");
            if (!byDesign) {
                ledger.note(stream.name() + ": " + e);
            }
        }
    }

    static String format(Map<String, Long> failures) {
        return failures.isEmpty() ? "none" : failures.entrySet().stream()
                .map(failure -> failure.getKey() + " " + failure.getValue()).collect(Collectors.joining(", "));
    }

    static String mib(double value) {
        return value < 0 ? "-" : String.format(Locale.ROOT, "%.1f", value);
    }

    /** Reads the events the script writes ({@code epoch-millis event name pid}: killed, ready). */
    static final class Faults {
        private final Path events;

        Faults(Path events) {
            this.events = events;
        }

        record Event(long at, String what, String name, String pid) {
        }

        List<Event> all() {
            List<Event> list = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(events)) {
                    String[] words = line.trim().split("\\s+");
                    if (words.length == 4) {
                        list.add(new Event(Long.parseLong(words[0]), words[1], words[2], words[3]));
                    }
                }
            } catch (IOException e) {
                // No fault yet: the script writes the file at the first.
            }
            return list;
        }

        List<Event> between(long from, long to) {
            return all().stream().filter(event -> event.at() >= from && event.at() < to).toList();
        }

        /**
         * Whether the replica was down at some moment of [from, to]: killed before {@code to} and not
         * ready again before {@code from}. A second of slack either side covers answers that were
         * in flight as it died.
         */
        boolean downBetween(String replica, long from, long to) {
            long downSince = -1;
            for (Event event : all()) {
                if (!event.name().equals(replica)) {
                    continue;
                }
                if ("killed".equals(event.what())) {
                    downSince = event.at();
                } else if ("ready".equals(event.what()) && downSince >= 0) {
                    if (downSince <= to + 1000 && event.at() >= from - 1000) {
                        return true;
                    }
                    downSince = -1;
                }
            }
            return downSince >= 0 && downSince <= to + 1000;
        }
    }
}
