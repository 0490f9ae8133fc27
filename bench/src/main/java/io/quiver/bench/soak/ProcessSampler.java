package io.quiver.bench.soak;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the figures of the mesh's processes, listed in a file the soak's script keeps current (a
 * line {@code name pid base-url} each; a restarted replica's line gets its new pid):
 * <ul>
 * <li>resident memory, {@code VmRSS} of {@code /proc/PID/status}: what the machine pays;
 * <li>heap after a full collection: {@code jcmd PID GC.run} (done in-process, {@link #gcRun}; a full collection
 * with the serial collector the services run), then the sum of the heap pools'
 * {@code jvm_memory_used_bytes} from the service's Micrometer {@code /q/metrics}; what survives a
 * collection is what is held, and a leak of Java objects shows there before it shows in resident
 * memory, which the heap's committed size (and native memory) blur;
 * <li>threads, {@code Threads} of {@code /proc/PID/status};
 * <li>open descriptors, the entries of {@code /proc/PID/fd} (sockets, files, pipes).
 * </ul>
 * The forced collection pauses each service once per sample (tens of milliseconds on their 96 MiB
 * heaps), which shows in that minute's p99; it is the price of a heap figure that means something.
 */
final class ProcessSampler {
    private static final Pattern EVICTIONS =
            Pattern.compile("(?m)^quiver_cache_evictions_total(?:\\{[^}]*})? (\\S+)$");
    private static final Pattern HEAP_USED =
            Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} (\\S+)$");

    /**
     * One reading of one process; {@code heapMib} is negative when it could not be read,
     * {@code evictions} (the model-servers' {@code quiver_cache_evictions_total}) when the process
     * has none.
     */
    record Sample(String name, long pid, Instant started, Instant at, double rssMib, double heapMib, int threads,
            int fds, long evictions) {
        double minutesAlive() {
            return Duration.between(started, at).toMillis() / 60_000.0;
        }
    }

    /** A line of the processes file. */
    record Process(String name, long pid, String baseUrl) {
    }

    private final Path processes;
    private final HttpClient client;

    ProcessSampler(Path processes, HttpClient client) {
        this.processes = processes;
        this.client = client;
    }

    List<Process> processes() throws IOException {
        List<Process> list = new ArrayList<>();
        for (String line : Files.readAllLines(processes)) {
            String[] words = line.trim().split("\\s+");
            if (words.length == 3) {
                list.add(new Process(words[0], Long.parseLong(words[1]), words[2]));
            }
        }
        return list;
    }

    /** A sample of every listed process that is running (a replica killed a moment ago is not). */
    List<Sample> sample() throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (Process process : processes()) {
            Path proc = Path.of("/proc", Long.toString(process.pid()));
            Instant started = ProcessHandle.of(process.pid()).flatMap(handle -> handle.info().startInstant())
                    .orElse(null);
            if (started == null) {
                continue;
            }
            try {
                String metrics = metricsAfterGc(process);
                double heap = metrics == null ? -1 : sum(HEAP_USED, metrics) / (1024 * 1024);
                long evictions = metrics == null ? -1 : Math.round(sum(EVICTIONS, metrics));
                String status = Files.readString(proc.resolve("status"));
                int fds;
                try (Stream<Path> entries = Files.list(proc.resolve("fd"))) {
                    fds = (int) entries.count();
                }
                samples.add(new Sample(process.name(), process.pid(), started, Instant.now(),
                        statusField(status, "VmRSS") / 1024.0, heap, (int) statusField(status, "Threads"), fds, evictions));
            } catch (IOException e) {
                // It died between the listing and the reading: a fault of the run, not of the reader.
            }
        }
        return samples;
    }

    /** The sum of the values the pattern finds; -1 when it finds none. */
    private static double sum(Pattern pattern, String metrics) {
        Matcher matcher = pattern.matcher(metrics);
        double sum = 0;
        boolean found = false;
        while (matcher.find()) {
            sum += Double.parseDouble(matcher.group(1));
            found = true;
        }
        return found ? sum : -1;
    }

    /** The process's {@code /q/metrics} right after a full collection; null when either failed. */
    private String metricsAfterGc(Process process) {
        try {
            if (!gcRun(process.pid())) {
                return null;
            }
            HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(URI.create(process.baseUrl() + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return metrics.statusCode() == 200 ? metrics.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * {@code jcmd PID GC.run} without starting a JVM for jcmd (which, four times a minute, cost
     * more CPU than the sampling is worth on two shared cores): the same attach mechanism, from
     * this process. {@code executeJCmd} is not exported API, hence reflection and the
     * {@code --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED} that bench/soak runs with.
     */
    static boolean gcRun(long pid) {
        try {
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            try (InputStream out = (InputStream) vm.getClass().getMethod("executeJCmd", String.class).invoke(vm,
                    "GC.run")) {
                out.readAllBytes();
                return true;
            } finally {
                vm.detach();
            }
        } catch (AttachNotSupportedException | IOException | ReflectiveOperationException e) {
            return false;
        }
    }

    /** A {@code Name:   123 kB} field of {@code /proc/PID/status}, its number. */
    static long statusField(String status, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + name + ":\\s+(\\d+)").matcher(status);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + name + " in /proc/PID/status");
        }
        return Long.parseLong(matcher.group(1));
    }
}
