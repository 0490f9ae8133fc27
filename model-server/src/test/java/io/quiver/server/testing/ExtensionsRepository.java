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
 * The example repository plus what the V2 extensions need to show: {@link #BROKEN} and
 * {@link #FIXABLE}, whose model.onnx is not a model, so they fail at start; {@link #FIXED_SHAPE},
 * whose input has no batch dimension; {@link #UNBATCHED}, house_price with batching turned off in
 * its descriptor.
 */
public class ExtensionsRepository extends ExampleRepository {
    public static final String BROKEN = "broken";
    public static final String FIXABLE = "fixable";
    public static final String FIXED_SHAPE = "fixed_shape";
    public static final String UNBATCHED = "unbatched";
    public static final String NOT_A_MODEL = "this is not an ONNX model";

    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        try {
            writeBroken(root().resolve(BROKEN).resolve("1"));
            writeBroken(root().resolve(FIXABLE).resolve("1"));
            Path fixed = Files.createDirectories(root().resolve(FIXED_SHAPE).resolve("1"));
            Files.write(fixed.resolve("model.onnx"), OnnxModelWriter.graph(FIXED_SHAPE)
                    .input("x", ElementType.FLOAT, 2, 3)
                    .output("y", ElementType.FLOAT, 2, 3)
                    .node("Relu", List.of("x"), List.of("y"))
                    .toByteArray());
            housePriceAs(UNBATCHED, "{\"batching\": {\"enabled\": false}}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return config;
    }

    /** A version directory whose model.onnx ONNX Runtime cannot read. */
    public static void writeBroken(Path versionDir) throws IOException {
        Files.createDirectories(versionDir);
        Files.writeString(versionDir.resolve("model.onnx"), NOT_A_MODEL);
    }
}
