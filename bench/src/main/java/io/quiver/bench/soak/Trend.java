package io.quiver.bench.soak;

import java.util.List;
import java.util.Locale;

/**
 * Whether one figure of one process (resident memory, threads, open descriptors) stayed flat: the
 * least-squares slope of its samples taken after the warm-up, per ten minutes, against a limit. A
 * leak shows as a steady climb, which a line fitted through every sample finds where two readings
 * (first and last) would be at the mercy of one collection or one burst of connections. Too few
 * samples to fit a line say nothing either way, and are reported so rather than passed.
 */
public record Trend(String figure, int samples, double slopePer10Minutes, double limitPer10Minutes) {
    /** Fewer samples than this after the warm-up are not judged. */
    public static final int MIN_SAMPLES = 3;

    /** A reading of a figure, {@code minute} minutes into the life of its process. */
    public record Point(double minute, double value) {
    }

    /** The trend of the points at or after {@code warmupMinutes}. */
    public static Trend of(String figure, List<Point> points, double warmupMinutes, double limitPer10Minutes) {
        List<Point> after = points.stream().filter(point -> point.minute() >= warmupMinutes).toList();
        double slope = after.size() < 2 ? 0 : slopePerMinute(after) * 10;
        return new Trend(figure, after.size(), slope, limitPer10Minutes);
    }

    /** The least-squares slope of value against minute; 0 when every point has the same minute. */
    static double slopePerMinute(List<Point> points) {
        double meanX = points.stream().mapToDouble(Point::minute).average().orElse(0);
        double meanY = points.stream().mapToDouble(Point::value).average().orElse(0);
        double covariance = 0;
        double variance = 0;
        for (Point point : points) {
            covariance += (point.minute() - meanX) * (point.value() - meanY);
            variance += (point.minute() - meanX) * (point.minute() - meanX);
        }
        return variance == 0 ? 0 : covariance / variance;
    }

    public boolean judged() {
        return samples >= MIN_SAMPLES;
    }

    /** Growth above the limit fails; a figure that falls (memory given back) never does. */
    public boolean grows() {
        return judged() && slopePer10Minutes > limitPer10Minutes;
    }

    public String verdict() {
        if (!judged()) {
            return "not judged (" + samples + " samples after warm-up)";
        }
        return grows() ? "GROWS" : "flat";
    }

    public String describe() {
        return String.format(Locale.ROOT, "%s %+.2f/10 min (limit %.1f, %d samples): %s", figure, slopePer10Minutes,
                limitPer10Minutes, samples, verdict());
    }
}
