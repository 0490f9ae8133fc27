package io.quiver.server.testing;

import io.quiver.examples.ExporterModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** The example repository plus the models written as skl2onnx and torch.onnx write them. */
public class ExporterRepository extends ExampleRepository {
    @Override
    public Map<String, String> start() {
        Map<String, String> config = super.start();
        try {
            ExporterModels.writeRepository(root());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return config;
    }
}
