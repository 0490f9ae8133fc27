package io.quiver.server.protocol.v2;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What crosses the wire on the Open Inference Protocol (KServe V2) REST API. Inference requests are
 * read by a streaming decoder ({@link V2Codec}) for speed, so {@link InferRequest} and its parts
 * only describe them in the OpenAPI document; everything else is read and written as these records.
 */
public final class V2Messages {
    private V2Messages() {
    }

    public record ServerMetadata(@Schema(examples = "quiver") String name, String version,
                                 @Schema(description = "the protocol extensions served, as Triton names them")
                                 List<String> extensions) {
    }

    public record Live(boolean live) {
    }

    public record Ready(boolean ready) {
    }

    /** A model's or a version's readiness; {@code version} only when one was named. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ModelReady(String name, String version, boolean ready) {
    }

    public record ModelMetadata(String name, List<String> versions,
                                @Schema(examples = "onnxruntime_onnx") String platform,
                                List<TensorMetadata> inputs, List<TensorMetadata> outputs) {
    }

    /** A tensor as metadata describes it: -1 for a dynamic dimension, a classifier's class labels in parameters. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TensorMetadata(String name, @Schema(examples = "FP32") String datatype, long[] shape,
                                 Map<String, Object> parameters) {
    }

    @Schema(description = "An inference request. With the binary tensor data extension the body is this JSON followed "
            + "by raw tensor bytes, and the Inference-Header-Content-Length header gives the JSON's length.")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InferRequest(@Schema(description = "echoed in the answer") String id,
                               @Schema(description = "binary_data_output: true asks for every output as bytes")
                               Map<String, Object> parameters,
                               List<InferInput> inputs,
                               @Schema(description = "the outputs to answer; all when absent")
                               List<RequestedOutput> outputs) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InferInput(@Schema(examples = "features") String name,
                             @Schema(examples = "[1, 3]") long[] shape,
                             @Schema(examples = "FP32") String datatype,
                             @Schema(description = "binary_data_size: the input's bytes follow the JSON")
                             Map<String, Object> parameters,
                             @Schema(description = "the elements, flat in row-major order or nested as the shape",
                                     examples = "[1.2, 3, 10]") List<Object> data) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RequestedOutput(String name,
                                  @Schema(description = "binary_data: true answers this output as bytes")
                                  Map<String, Object> parameters) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InferResponse(String modelName, String modelVersion, String id, List<InferOutput> outputs) {
    }

    /** An output: its elements in {@code data}, or with {@code parameters.binary_data_size} after the JSON. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InferOutput(String name, String datatype, long[] shape, Map<String, Object> parameters,
                              @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY,
                                      description = "the elements, flat in row-major order") Object data) {
    }
}
