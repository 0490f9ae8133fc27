package io.quiver.bench.soak;

import io.quiver.bench.OpenLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The soak's accounts: a {@link Tally} per kind of request for the minute being reported and for
 * the whole run, recorded into both at once so that nothing recorded as a minute ends is lost from
 * the totals, and the first few failures' details, to say what a count of failures was.
 */
final class Ledger {
    private static final int MAX_NOTES = 50;

    private volatile Map<String, Tally> window = new ConcurrentHashMap<>();
    private final Map<String, Tally> total = new ConcurrentHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private long notesLeftOut;

    void record(String name, long micros, String failure) {
        window.computeIfAbsent(name, key -> new Tally()).record(micros, failure);
        total.computeIfAbsent(name, key -> new Tally()).record(micros, failure);
    }

    void add(String name, OpenLoop.Result result, boolean byDesign) {
        window.computeIfAbsent(name, key -> new Tally()).add(result, byDesign);
        total.computeIfAbsent(name, key -> new Tally()).add(result, byDesign);
    }

    void unsent(String name, long count, String cause) {
        window.computeIfAbsent(name, key -> new Tally()).unsent(count, cause);
        total.computeIfAbsent(name, key -> new Tally()).unsent(count, cause);
    }

    void fail(String name, String cause) {
        window.computeIfAbsent(name, key -> new Tally()).fail(cause);
        total.computeIfAbsent(name, key -> new Tally()).fail(cause);
    }

    synchronized void note(String note) {
        if (notes.size() < MAX_NOTES) {
            notes.add(note);
        } else {
            notesLeftOut++;
        }
    }

    /** The minute just ended, and a fresh one begun. */
    Map<String, Tally> closeWindow() {
        Map<String, Tally> ended = window;
        window = new ConcurrentHashMap<>();
        return new TreeMap<>(ended);
    }

    Map<String, Tally> total() {
        return new TreeMap<>(total);
    }

    synchronized List<String> notes() {
        List<String> all = new ArrayList<>(notes);
        if (notesLeftOut > 0) {
            all.add("(" + notesLeftOut + " more failures not detailed)");
        }
        return all;
    }
}
