package io.quiver.server.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.common.error.BadRequestException;
import io.quiver.server.inference.DataType;
import io.quiver.server.inference.ModelSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads {@code model.json}; a typo in a field name is an error rather than a silently ignored setting.
 * An MLflow model directory's {@code MLmodel} stands in for it ({@link MlflowModelFile}).
 */
public final class DescriptorReader {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private DescriptorReader() {
    }

    public static ModelDescriptor read(Optional<Path> file) {
        if (file.isEmpty()) {
            return ModelDescriptor.NONE;
        }
        if (MlflowModelFile.isMlflowFile(file.get())) {
            return MlflowModelFile.read(file.get(), shown(file.get())).descriptor();
        }
        try {
            ModelDescriptor descriptor = JSON.readValue(file.get().toFile(), ModelDescriptor.class);
            if (descriptor.workers() != null && descriptor.workers() < 1) {
                throw new BadRequestException(file.get().getFileName() + ": workers must be at least 1");
            }
            if (descriptor.maxQueue() != null && descriptor.maxQueue() < 0) {
                throw new BadRequestException(file.get().getFileName() + ": max_queue must not be negative");
            }
            checkBatching(file.get(), descriptor.batching());
            checkWarmup(file.get(), descriptor.warmup());
            Double sampleRate = descriptor.payloadLog().sampleRate();
            if (sampleRate != null && !(sampleRate >= 0 && sampleRate <= 1)) {
                throw new BadRequestException(file.get().getFileName() + ": payload_log.sample_rate must be between 0 and 1");
            }
            if (descriptor.window() != null && descriptor.window() < 1) {
                throw new BadRequestException(file.get().getFileName() + ": window must be at least 1");
            }
            if (descriptor.horizon() != null && descriptor.horizon() < 1) {
                throw new BadRequestException(file.get().getFileName() + ": horizon must be at least 1");
            }
            if (descriptor.inputLayout() == InputLayout.WINDOW && descriptor.window() == null) {
                throw new BadRequestException(file.get().getFileName() + ": input_layout 'window' needs 'window', "
                        + "the number of a series' last values the model takes");
            }
            return descriptor;
        } catch (JsonProcessingException e) {
            throw new BadRequestException(file.get().getFileName() + " is not a valid descriptor: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Refuses a model whose descriptor contradicts its graph: an {@code MLmodel}'s signature that the
     * ONNX inputs cannot take.
     */
    public static void check(Optional<Path> file, ModelSignature signature) {
        if (file.isPresent() && MlflowModelFile.isMlflowFile(file.get())) {
            MlflowModelFile.read(file.get(), shown(file.get())).check(signature);
        }
    }

    /** {@code <model>/<version>/MLmodel}: enough of the path to tell which file, none of the host's layout. */
    private static String shown(Path file) {
        int count = file.getNameCount();
        return file.subpath(Math.max(0, count - 3), count).toString().replace('\\', '/');
    }

    private static void checkBatching(Path file, ModelDescriptor.Batching batching) {
        if (batching == null) {
            return;
        }
        if (batching.maxBatchSize() != null && batching.maxBatchSize() < 1) {
            throw new BadRequestException(file.getFileName() + ": batching.max_batch_size must be at least 1");
        }
        Double delay = batching.maxQueueDelayMs();
        if (delay != null && (delay < 0 || delay > 60_000 || delay.isNaN())) {
            throw new BadRequestException(file.getFileName() + ": batching.max_queue_delay_ms must be between 0 and 60000");
        }
    }

    /** The sample inputs' form; whether they fit the model is checked when it warms up, against its signature. */
    private static void checkWarmup(Path file, ModelDescriptor.Warmup warmup) {
        if (warmup == null) {
            return;
        }
        String where = file.getFileName() + ": warmup";
        if (warmup.runs() != null && warmup.runs() < 1) {
            throw new BadRequestException(where + ".runs must be at least 1 (turn warm-up off with \"enabled\": false)");
        }
        for (int i = 0; i < warmup.inputs().size(); i++) {
            ModelDescriptor.SampleInput input = warmup.inputs().get(i);
            String at = where + ".inputs[" + i + "]";
            if (input == null || input.name() == null || input.name().isBlank()) {
                throw new BadRequestException(at + " needs a name");
            }
            if (input.datatype() == null || DataType.named(input.datatype()).isEmpty()) {
                throw new BadRequestException(at + " ('" + input.name() + "') needs a datatype, one of " + DataType.NAMES);
            }
            if (input.shape() == null || Arrays.stream(input.shape()).anyMatch(d -> d < 0)) {
                throw new BadRequestException(at + " ('" + input.name() + "') needs a shape of sizes 0 or more");
            }
            if (input.data() == null || input.data().isNull()) {
                throw new BadRequestException(at + " ('" + input.name() + "') needs data");
            }
        }
    }
}
