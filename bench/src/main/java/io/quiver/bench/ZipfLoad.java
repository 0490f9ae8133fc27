package io.quiver.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop load over many models, each request naming a model drawn from a Zipf distribution
 * (the model of rank k is asked with probability proportional to 1 / k^s), for the model-density
 * part: a few clients each send a V2 request, wait for its answer, and send the next.
 *
 * <p>Whether a request found its model resident cannot be read from its answer. Two figures tell:
 * the server's own {@code quiver_cache_evictions_total}, read from {@code /q/metrics} as the
 * measured time starts and ends (with equal-sized models and a full budget, each load on demand
 * evicts exactly one other: misses = evictions), and, per request, a replay of the server's policy
 * (least recently used, {@code --resident} models) in the order the requests were sent, which
 * classes each latency as a hit's or a miss's. With several clients the replay's order can differ
 * from the server's by the requests in flight, so the two miss counts are printed side by side.
 *
 * <p>It uses the JDK's HTTP client: at a few clients in a closed loop its cost per request does
 * not limit the rate, and the server's loads on demand dominate the misses' latency.
 */
public final class ZipfLoad {
    private static final Pattern EVICTIONS = Pattern.compile("(?m)^quiver_cache_evictions_total(?:\\{[^}]*})? (\\S+)$");
    private static final long MAX_MILLIS = 60_000;

    private final Arguments arguments;
    private final HttpClient client;
    private final ZipfSampler sampler;
    private final LruReplay replay;
    private final int[] modelOfRank;
    private final Histogram hits = histogram();
    private final Histogram misses = histogram();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean measuring;
    private volatile boolean stopping;

    private ZipfLoad(Arguments arguments) {
        this.arguments = arguments;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.sampler = new ZipfSampler(arguments.models, arguments.exponent);
        this.replay = new LruReplay(arguments.resident);
        // Popularity is not the order the models were written or loaded in.
        this.modelOfRank = permutation(arguments.models, new Random(arguments.seed));
    }

    public static void main(String[] args) throws Exception {
        Arguments parsed;
        try {
            parsed = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(Arguments.USAGE);
            System.exit(2);
            return;
        }
        System.out.println(new ZipfLoad(parsed).run());
    }

    private String run() throws Exception {
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < arguments.clients; i++) {
            Random random = new Random(arguments.seed + 1 + i);
            Thread thread = new Thread(() -> loop(random), "zipf-client-" + i);
            thread.start();
            clients.add(thread);
        }
        Thread.sleep((long) (arguments.warmup * 1000));
        double evictionsBefore = evictions();
        long started = System.nanoTime();
        measuring = true;
        Thread.sleep((long) (arguments.duration * 1000));
        measuring = false;
        long elapsed = System.nanoTime() - started;
        double evictionsAfter = evictions();
        stopping = true;
        for (Thread thread : clients) {
            thread.join();
        }
        Histogram all = hits.copy();
        all.add(misses);
        long requests = all.getTotalCount();
        long serverMisses = Math.round(evictionsAfter - evictionsBefore);
        return String.format(Locale.ROOT,
                "requests=%d rate=%.1f errors=%d server_misses=%d server_hit_rate=%.4f replay_misses=%d "
                        + "replay_hit_rate=%.4f p50_ms=%.2f p99_ms=%.2f hit_p50_ms=%.2f hit_p99_ms=%.2f "
                        + "miss_p50_ms=%.2f miss_p99_ms=%.2f slow_over_%.0fms=%d",
                requests, requests / (elapsed / 1e9), errors.get(), serverMisses,
                requests > 0 ? 1 - (double) serverMisses / requests : 0, misses.getTotalCount(),
                requests > 0 ? (double) hits.getTotalCount() / requests : 0,
                millis(all, 50), millis(all, 99), millis(hits, 50), millis(hits, 99), millis(misses, 50),
                millis(misses, 99), arguments.slowMillis, all.getCountBetweenValues(
                        (long) (arguments.slowMillis * 1000), all.getHighestTrackableValue()));
    }

    private void loop(Random random) {
        while (!stopping) {
            int model = modelOfRank[sampler.rank(random.nextDouble()) - 1];
            boolean hit = replay.touch(model);
            boolean counted = measuring;
            long start = System.nanoTime();
            boolean ok = send(DensityModels.name(model));
            long micros = (System.nanoTime() - start) / 1000;
            if (!counted || !measuring) {
                continue;
            }
            if (!ok) {
                errors.incrementAndGet();
            }
            Histogram into = hit ? hits : misses;
            synchronized (into) {
                into.recordValue(Math.min(micros, MAX_MILLIS * 1000));
            }
        }
    }

    private boolean send(String model) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(arguments.url + "/v2/models/" + model + "/infer"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 3], \"datatype\": \"FP32\","
                                + " \"data\": [1200.0, 3.0, 10.0]}]}"))
                .build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                System.err.println(model + ": " + response.statusCode() + " " + response.body());
                return false;
            }
            return true;
        } catch (IOException e) {
            System.err.println(model + ": " + e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private double evictions() throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(arguments.url + "/q/metrics"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        Matcher matcher = EVICTIONS.matcher(response.body());
        if (!matcher.find()) {
            throw new IllegalStateException("no quiver_cache_evictions_total in " + arguments.url + "/q/metrics");
        }
        return Double.parseDouble(matcher.group(1));
    }

    private static Histogram histogram() {
        return new Histogram(MAX_MILLIS * 1000, 3);
    }

    private static double millis(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    static int[] permutation(int count, Random random) {
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** Ranks 1..n with P(k) proportional to 1 / k^s, drawn by a binary search of the cumulative distribution. */
    static final class ZipfSampler {
        private final double[] cumulative;

        ZipfSampler(int n, double exponent) {
            cumulative = new double[n];
            double sum = 0;
            for (int k = 1; k <= n; k++) {
                sum += 1 / Math.pow(k, exponent);
                cumulative[k - 1] = sum;
            }
            for (int k = 0; k < n; k++) {
                cumulative[k] /= sum;
            }
        }

        /** The rank a uniform draw in [0, 1) falls on. */
        int rank(double uniform) {
            int low = 0;
            int high = cumulative.length - 1;
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (cumulative[middle] > uniform) {
                    high = middle;
                } else {
                    low = middle + 1;
                }
            }
            return low + 1;
        }

        /** The probability of rank k. */
        double probability(int k) {
            return cumulative[k - 1] - (k == 1 ? 0 : cumulative[k - 2]);
        }
    }

    /** The server's policy replayed: at most {@code capacity} resident, the least recently used goes first. */
    static final class LruReplay {
        private final Map<Integer, Boolean> resident;

        LruReplay(int capacity) {
            this.resident = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
                    return size() > capacity;
                }
            };
        }

        /** Uses a model; true when it was resident (a hit). */
        synchronized boolean touch(int model) {
            return resident.put(model, Boolean.TRUE) != null;
        }
    }

    record Arguments(String url, int models, double exponent, int resident, int clients, double duration,
                     double warmup, long seed, double slowMillis) {
        static final String USAGE = """
                usage: ZipfLoad [options] BASE_URL
                  --models N      models m0000.. in the repository (default 1000)
                  --s S           the Zipf exponent (default 1.0)
                  --resident N    models the memory budget holds, for the replay (default 100)
                  --clients N     closed-loop clients (default 4)
                  --duration S    seconds counted (default 60)
                  --warmup S      seconds of the same load before, not counted (default 10)
                  --seed N        which models are popular and the draws (default 1)
                  --slow-ms M     also count answers slower than this (default 5)""";

        static Arguments parse(String[] args) {
            String url = null;
            int models = 1000;
            double exponent = 1.0;
            int resident = 100;
            int clients = 4;
            double duration = 60;
            double warmup = 10;
            long seed = 1;
            double slow = 5;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("--")) {
                    url = arg.replaceAll("/+$", "");
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(arg + " needs a value");
                }
                String value = args[++i];
                switch (arg) {
                    case "--models" -> models = Integer.parseInt(value);
                    case "--s" -> exponent = Double.parseDouble(value);
                    case "--resident" -> resident = Integer.parseInt(value);
                    case "--clients" -> clients = Integer.parseInt(value);
                    case "--duration" -> duration = Double.parseDouble(value);
                    case "--warmup" -> warmup = Double.parseDouble(value);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--slow-ms" -> slow = Double.parseDouble(value);
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            if (url == null) {
                throw new IllegalArgumentException("a base URL is required");
            }
            if (models < 1 || resident < 1 || clients < 1 || duration <= 0 || warmup < 0) {
                throw new IllegalArgumentException("--models, --resident, --clients and --duration must be positive");
            }
            return new Arguments(url, models, exponent, resident, clients, duration, warmup, seed, slow);
        }
    }
}
