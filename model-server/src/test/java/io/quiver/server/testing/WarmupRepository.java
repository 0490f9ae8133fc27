package io.quiver.server.testing;

import io.quiver.examples.OnnxModelWriter;
import io.quiver.examples.OnnxModelWriter.ElementType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The example and exporter repositories (every datatype the server serves, multi-input models,
 * ZipMap outputs) plus models whose warm-up shows each documented behaviour:
 * <ul>
 *   <li>{@link #PAIRS}, which reshapes its input into pairs, so the generated one-element input
 *       is refused (not batched: its rows out are half its rows in);</li>
 *   <li>{@link #LOOKUP}, a table of three values indexed by its INT64 input, with a sample index
 *       of 2 and three runs declared;</li>
 *   <li>{@link #LOOKUP_OUT_OF_RANGE}, the same with a sample index of 7, which it refuses;</li>
 *   <li>{@link #LOOKUP_MISNAMED}, the same with a sample for an input it does not have;</li>
 *   <li>{@link #UNWARMED}, house_price with warm-up turned off in its descriptor.</li>
 * </ul>
 */
public class WarmupRepository extends ExporterRepository {
    public static final String PAIRS = "pairs";
    public static final String LOOKUP = "lookup";
    public static final String LOOKUP_OUT_OF_RANGE = "lookup_out_of_range";
    public static final String LOOKUP_MISNAMED = "lookup_misnamed";
    public static final String UNWARMED = "unwarmed";
    /** {@link #LOOKUP}'s table: index i gives {@code TABLE[i]}. */
    public static final float[] TABLE = {10f, 20f, 30f};

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        try {
            write(PAIRS, OnnxModelWriter.graph(PAIRS)
                    .input("x", ElementType.FLOAT, "n")
                    .output("y", ElementType.FLOAT, "pairs", 2)
                    .initializer("pair", new long[] {2}, new long[] {-1, 2})
                    .node("Reshape", List.of("x", "pair"), List.of("y"))
                    .toByteArray(), "{\"batching\": {\"enabled\": false}}");
            write(LOOKUP, lookup(), sample("index", 2, 3));
            write(LOOKUP_OUT_OF_RANGE, lookup(), sample("index", 7, 1));
            write(LOOKUP_MISNAMED, lookup(), sample("position", 2, 1));
            housePriceAs(UNWARMED, "{\"warmup\": {\"enabled\": false}}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return config;
    }

    /** {@code value = Gather(TABLE, index)}, index INT64 {@code [batch]}. */
    private static byte[] lookup() {
        return OnnxModelWriter.graph(LOOKUP)
                .input("index", ElementType.INT64, "batch")
                .output("value", ElementType.FLOAT, "batch")
                .initializer("table", new long[] {TABLE.length}, TABLE)
                .node("Gather", List.of("table", "index"), List.of("value"))
                .toByteArray();
    }

    /** A descriptor declaring one sample, a single INT64 element for {@code input}, run {@code runs} times. */
    private static String sample(String input, long value, int runs) {
        return """
                {"warmup": {"runs": %d, "inputs": [
                  {"name": "%s", "datatype": "INT64", "shape": [1], "data": [%d]}
                ]}}
                """.formatted(runs, input, value);
    }

    private static void write(String name, byte[] model, String descriptor) throws IOException {
        Path dir = Files.createDirectories(root().resolve(name).resolve("1"));
        Files.write(dir.resolve("model.onnx"), model);
        Files.writeString(dir.resolve("model.json"), descriptor);
    }
}
