package io.quiver.bench.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * What the soak prints: a header, a block per window (requests of the load streams and of the
 * control operations, failures by cause, p50 and p99, the faults, a row per process), and at the
 * end markdown tables of the totals and of each process's trends, then the verdict. Every sample
 * is kept per process (a name and a pid: a restarted replica is a new process, whose figures start
 * over), for the trends.
 */
final class Report {
    private final Soak.Settings settings;
    private long startMillis;
    private final Set<String> streamNames = new HashSet<>();
    private final Map<String, List<ProcessSampler.Sample>> series = new LinkedHashMap<>();

    Report(Soak.Settings settings) {
        this.settings = settings;
        this.startMillis = System.currentTimeMillis();
    }

    /** The counted run begins: times in the report are from here. */
    void started(long millis) {
        startMillis = millis;
    }

    void header(List<Soak.Stream> streams) {
        double rate = 0;
        for (Soak.Stream stream : streams) {
            streamNames.add(stream.name());
            rate += stream.rate();
        }
        print("soak: %.3g min, a report every %.3g s, %d load streams at %.1f requests/s in all, warm-up %.3g min",
                settings.minutes(), settings.reportSeconds(), streams.size(), rate, settings.warmupMinutes());
        print("soak: heap is jvm_memory_used_bytes (area=heap, /q/metrics) right after jcmd GC.run; "
                + "rss and threads from /proc/PID/status, fds from /proc/PID/fd");
    }

    void window(int number, Map<String, Tally> window, List<ProcessSampler.Sample> samples,
            List<Soak.Faults.Event> events) {
        Tally data = merged(window, true);
        Tally control = merged(window, false);
        print("[%s] minute %.1f: load %d requests (%.1f/s), %d failed (%s), p50 %.2f ms, p99 %.2f ms; "
                        + "control %d operations, %d failed (%s)",
                clock(System.currentTimeMillis()), (System.currentTimeMillis() - startMillis) / 60_000.0,
                data.requests(), data.requests() / settings.reportSeconds(), data.failed(),
                Soak.format(data.failures()), data.millis(50), data.millis(99), control.requests(), control.failed(),
                Soak.format(control.failures()));
        for (Map.Entry<String, Tally> entry : window.entrySet()) {
            if (entry.getValue().failed() > 0) {
                print("    %s: %s", entry.getKey(), Soak.format(entry.getValue().failures()));
            }
        }
        for (Soak.Faults.Event event : events) {
            print("    fault: %s %s %s (pid %s)", clock(event.at()), event.name(), event.what(), event.pid());
        }
        for (ProcessSampler.Sample sample : samples) {
            series.computeIfAbsent(sample.name() + " " + sample.pid(), key -> new ArrayList<>()).add(sample);
            print("    %-10s pid %-7d at %s, up %5.1f min: rss %s MiB, heap after GC %s MiB, threads %d, fds %d%s",
                    sample.name(), sample.pid(), clock(sample.at().toEpochMilli()), sample.minutesAlive(),
                    Soak.mib(sample.rssMib()), Soak.mib(sample.heapMib()), sample.threads(), sample.fds(),
                    sample.evictions() < 0 ? "" : ", evictions " + sample.evictions());
        }
    }

    /** The final tables and the verdict; true when the run passed. */
    boolean end(Map<String, Tally> total, List<String> notes) {
        System.out.println();
        System.out.println("| load stream | requests | failed | failures by cause | p50 ms | p99 ms |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        long unexpected = 0;
        for (boolean data : new boolean[] {true, false}) {
            if (!data) {
                System.out.println();
                System.out.println("| control operation | calls | failed | failures by cause | p50 ms | p99 ms |");
                System.out.println("| --- | --- | --- | --- | --- | --- |");
            }
            for (Map.Entry<String, Tally> entry : total.entrySet()) {
                if (streamNames.contains(entry.getKey()) != data) {
                    continue;
                }
                Tally tally = entry.getValue();
                unexpected += tally.unexpected();
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %s | %.2f | %.2f |%n", entry.getKey(), tally.requests(),
                        tally.failed(), Soak.format(tally.failures()), tally.millis(50), tally.millis(99));
            }
            Tally all = merged(total, data);
            System.out.printf(Locale.ROOT, "| **all** | %d | %d | | %.2f | %.2f |%n", all.requests(), all.failed(),
                    all.millis(50), all.millis(99));
        }
        System.out.println();
        System.out.println("| process | pid | minutes | samples judged | RSS MiB first → last | RSS /10 min | "
                + "heap after GC MiB first → last | heap /10 min | threads first → last | threads /10 min | "
                + "fds first → last | fds /10 min | evictions | verdict |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        List<String> grew = new ArrayList<>();
        int judged = 0;
        for (List<ProcessSampler.Sample> samples : series.values()) {
            ProcessSampler.Sample first = samples.get(0);
            ProcessSampler.Sample last = samples.get(samples.size() - 1);
            Trend rss = trend("RSS MiB", samples, ProcessSampler.Sample::rssMib, settings.rssLimitMib());
            Trend heap = trend("heap MiB", samples, ProcessSampler.Sample::heapMib, Double.MAX_VALUE);
            Trend threads = trend("threads", samples, sample -> sample.threads(), settings.threadLimit());
            Trend fds = trend("fds", samples, sample -> sample.fds(), settings.fdLimit());
            List<Trend> judgedTrends = List.of(rss, threads, fds);
            String verdict;
            if (!rss.judged()) {
                verdict = "not judged (younger than warm-up + " + Trend.MIN_SAMPLES + " samples)";
            } else {
                judged++;
                List<String> growing = judgedTrends.stream().filter(Trend::grows).map(Trend::figure).toList();
                verdict = growing.isEmpty() ? "flat" : "GROWS: " + String.join(", ", growing);
                growing.forEach(figure -> grew.add(first.name() + " (pid " + first.pid() + ") " + figure));
            }
            System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %d | %s → %s | %s | %s → %s | %s | %d → %d | %s | %d → %d | %s | %s | %s |%n",
                    first.name(), first.pid(), last.minutesAlive(), rss.samples(), Soak.mib(first.rssMib()),
                    Soak.mib(last.rssMib()), slope(rss), Soak.mib(first.heapMib()), Soak.mib(last.heapMib()),
                    slope(heap), first.threads(), last.threads(), slope(threads), first.fds(), last.fds(), slope(fds),
                    last.evictions() < 0 ? "-" : Long.toString(last.evictions()), verdict);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "Limits per 10 min after a %.3g-min warm-up: RSS %.1f MiB, threads %.1f, "
                + "fds %.1f; heap after GC is shown, not judged.%n", settings.warmupMinutes(), settings.rssLimitMib(),
                settings.threadLimit(), settings.fdLimit());
        if (!notes.isEmpty()) {
            System.out.println();
            System.out.println("Failures in detail (the first ones):");
            notes.forEach(note -> System.out.println("  " + note));
        }
        boolean passed = unexpected == 0 && grew.isEmpty() && judged > 0;
        System.out.println();
        System.out.println("VERDICT: " + (passed ? "PASS" : "FAIL") + ": " + unexpected
                + " failed requests not caused by design; "
                + (grew.isEmpty() ? "no figure grew" : "grew: " + String.join("; ", grew)) + "; " + judged
                + " processes judged" + (judged == 0 ? " (none: the run is too short for its warm-up)" : ""));
        return passed;
    }

    private Trend trend(String figure, List<ProcessSampler.Sample> samples, ToDoubleFunction<ProcessSampler.Sample> value,
            double limit) {
        List<Trend.Point> points = samples.stream().filter(sample -> value.applyAsDouble(sample) >= 0)
                .map(sample -> new Trend.Point(sample.minutesAlive(), value.applyAsDouble(sample))).toList();
        return Trend.of(figure, points, settings.warmupMinutes(), limit);
    }

    private static String slope(Trend trend) {
        return trend.samples() < 2 ? "-" : String.format(Locale.ROOT, "%+.2f", trend.slopePer10Minutes());
    }

    private Tally merged(Map<String, Tally> tallies, boolean data) {
        Tally all = new Tally();
        tallies.forEach((name, tally) -> {
            if (streamNames.contains(name) == data) {
                tally.addTo(all);
            }
        });
        return all;
    }

    private String clock(long millis) {
        Duration elapsed = Duration.ofMillis(millis - startMillis);
        return String.format(Locale.ROOT, "%02d:%02d", elapsed.toMinutes(), elapsed.toSecondsPart());
    }

    private static void print(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
