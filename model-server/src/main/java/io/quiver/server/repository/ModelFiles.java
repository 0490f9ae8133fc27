package io.quiver.server.repository;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A model version on local disk: its ONNX file and, when present, its descriptor: {@code model.json},
 * or the {@code MLmodel} of an MLflow model directory.
 */
public record ModelFiles(String name, String version, Path model, Optional<Path> descriptor) {

    public static final String MODEL_FILE = "model.onnx";
    public static final String DESCRIPTOR_FILE = "model.json";

    /** The files of the version directory {@code dir}; {@code model.json} wins over an {@code MLmodel}. */
    public static ModelFiles inDirectory(String name, String version, Path dir) {
        return new ModelFiles(name, version, dir.resolve(MODEL_FILE), descriptorIn(dir));
    }

    /** The descriptor of the version directory {@code dir}, if it has one. */
    public static Optional<Path> descriptorIn(Path dir) {
        return Stream.of(dir.resolve(DESCRIPTOR_FILE), dir.resolve(MlflowModelFile.FILE))
                .filter(Files::isRegularFile).findFirst();
    }
}
