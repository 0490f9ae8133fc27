package io.quiver.server.repository;

import java.nio.file.Path;
import java.util.Optional;

/** A model version on local disk: its ONNX file and, when present, its descriptor. */
public record ModelFiles(String name, String version, Path model, Optional<Path> descriptor) {

    public static final String MODEL_FILE = "model.onnx";
    public static final String DESCRIPTOR_FILE = "model.json";

    /** The files of the version directory {@code dir}. */
    public static ModelFiles inDirectory(String name, String version, Path dir) {
        Path descriptor = dir.resolve(DESCRIPTOR_FILE);
        return new ModelFiles(name, version, dir.resolve(MODEL_FILE),
                java.nio.file.Files.isRegularFile(descriptor) ? Optional.of(descriptor) : Optional.empty());
    }
}
