package io.quiver.server.repository;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The optional {@code model.json} beside a {@code model.onnx}. Every field may be left out; see
 * docs/model-server/models.md for the format.
 *
 * @param modelType   what {@code /predict}'s {@code model_type} may call this model besides its name
 * @param features    names of the columns of a single 2-D input, in order
 * @param labels      class names for an integer class output
 * @param inputLayout how a row payload maps onto the input
 * @param workers     inference workers for this model; the server default when absent
 * @param maxQueue    requests that may wait for a worker; the server default when absent
 */
public record ModelDescriptor(
        @JsonProperty("model_type") String modelType,
        String description,
        List<String> features,
        List<String> labels,
        @JsonProperty("input_layout") InputLayout inputLayout,
        Integer workers,
        @JsonProperty("max_queue") Integer maxQueue) {

    public static final ModelDescriptor NONE = new ModelDescriptor(null, null, null, null, null, null, null);

    public ModelDescriptor {
        features = features == null ? List.of() : List.copyOf(features);
        labels = labels == null ? List.of() : List.copyOf(labels);
        inputLayout = inputLayout == null ? InputLayout.ROWS : inputLayout;
    }
}
