package io.quiver.server.testing;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.quiver.examples.ExporterModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The exporter repository plus what the gRPC tests need: {@value #TYPED} (identity over every type
 * gRPC's typed contents can carry, that is all but FP16 and BF16), {@value #SLOW} with one worker
 * and no queue, and a gRPC message limit of {@value #MESSAGE_LIMIT}.
 */
public class GrpcRepository extends ExporterRepository {
    public static final String TYPED = "typed_datatypes";
    public static final String SLOW = "slow_one_worker";
    public static final String MESSAGE_LIMIT = "64K";

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        try {
            Path typed = Files.createDirectories(root().resolve(TYPED + "/1"));
            List<DataType> types = ExporterModels.EVERY_TYPE.stream()
                    .filter(t -> t != DataType.FLOAT16 && t != DataType.BFLOAT16).toList();
            Files.write(typed.resolve("model.onnx"), ExporterModels.identities(types).toByteArray());
            Path slow = SlowModel.write(root().resolve(SLOW + "/1"));
            Files.writeString(slow.resolve("model.json"), "{\"workers\": 1, \"max_queue\": 0}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.put("quiver.grpc.max-message-size", MESSAGE_LIMIT);
        return config;
    }
}
