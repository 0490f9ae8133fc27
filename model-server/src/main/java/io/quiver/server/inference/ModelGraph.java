package io.quiver.server.inference;

import ai.onnx.proto.OnnxMl;
import io.quiver.common.error.BadRequestException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What ONNX Runtime's Java API does not tell about a model, read from the model file itself: the
 * class labels of a ZipMap, and a copy of the graph that takes unsigned inputs the API cannot
 * create. Read only for models that need it, as parsing a large model costs time and memory.
 */
final class ModelGraph {
    private static final String ML_DOMAIN = "ai.onnx.ml";
    /** Suffix of the unsigned value a carried input is cast back to inside the graph. */
    private static final String UNSIGNED_SUFFIX = "__quiver_unsigned";

    private final OnnxMl.ModelProto model;

    private ModelGraph(OnnxMl.ModelProto model) {
        this.model = model;
    }

    static ModelGraph read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new ModelGraph(OnnxMl.ModelProto.parseFrom(in));
        } catch (IOException e) {
            throw new BadRequestException("cannot read " + file.getFileName() + " as an ONNX model: " + e.getMessage());
        }
    }

    /**
     * The class labels of the ZipMap node that writes {@code output}, in the order the node lists
     * them; empty when no ZipMap writes it.
     */
    Optional<List<String>> zipMapLabels(String output) {
        for (OnnxMl.NodeProto node : model.getGraph().getNodeList()) {
            if (node.getOpType().equals("ZipMap") && node.getDomain().equals(ML_DOMAIN)
                    && node.getOutputList().contains(output)) {
                for (OnnxMl.AttributeProto attribute : node.getAttributeList()) {
                    if (attribute.getName().equals("classlabels_int64s")) {
                        return Optional.of(attribute.getIntsList().stream().map(String::valueOf).toList());
                    }
                    if (attribute.getName().equals("classlabels_strings")) {
                        return Optional.of(attribute.getStringsList().stream().map(s -> s.toStringUtf8()).toList());
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The model with each input named in {@code carriers} retyped to the signed integer of the same
     * width and cast back to its unsigned type as the graph's first step. The cast keeps the bits,
     * so feeding the signed tensor that holds an unsigned tensor's bits gives the model exactly the
     * values it was sent.
     */
    byte[] withSignedCarriers(Map<String, DataType> carriers) {
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        List<OnnxMl.NodeProto> casts = new ArrayList<>();
        for (int i = 0; i < graph.getInputCount(); i++) {
            OnnxMl.ValueInfoProto input = graph.getInput(i);
            DataType unsigned = carriers.get(input.getName());
            if (unsigned == null) {
                continue;
            }
            OnnxMl.ValueInfoProto.Builder retyped = input.toBuilder();
            retyped.getTypeBuilder().getTensorTypeBuilder().setElemType(signedOfSameWidth(unsigned).getNumber());
            graph.setInput(i, retyped);
            casts.add(OnnxMl.NodeProto.newBuilder()
                    .setOpType("Cast")
                    .setName(input.getName() + UNSIGNED_SUFFIX)
                    .addInput(input.getName())
                    .addOutput(input.getName() + UNSIGNED_SUFFIX)
                    .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("to")
                            .setType(OnnxMl.AttributeProto.AttributeType.INT)
                            .setI(unsignedType(unsigned).getNumber()))
                    .build());
        }
        rename(graph, carriers);
        List<OnnxMl.NodeProto> nodes = new ArrayList<>(casts);
        nodes.addAll(graph.getNodeList());
        graph.clearNode().addAllNode(nodes);
        return model.toBuilder().setGraph(graph).build().toByteArray();
    }

    /** Points every use of a carried input, in this graph and its subgraphs, at its cast. */
    private static void rename(OnnxMl.GraphProto.Builder graph, Map<String, DataType> carriers) {
        for (OnnxMl.NodeProto.Builder node : graph.getNodeBuilderList()) {
            for (int i = 0; i < node.getInputCount(); i++) {
                if (carriers.containsKey(node.getInput(i))) {
                    node.setInput(i, node.getInput(i) + UNSIGNED_SUFFIX);
                }
            }
            for (OnnxMl.AttributeProto.Builder attribute : node.getAttributeBuilderList()) {
                if (attribute.hasG()) {
                    rename(attribute.getGBuilder(), carriers);
                }
                for (OnnxMl.GraphProto.Builder subgraph : attribute.getGraphsBuilderList()) {
                    rename(subgraph, carriers);
                }
            }
        }
    }

    private static OnnxMl.TensorProto.DataType signedOfSameWidth(DataType unsigned) {
        return switch (unsigned) {
            case UINT16 -> OnnxMl.TensorProto.DataType.INT16;
            case UINT32 -> OnnxMl.TensorProto.DataType.INT32;
            case UINT64 -> OnnxMl.TensorProto.DataType.INT64;
            default -> throw new IllegalArgumentException(unsigned + " needs no carrier");
        };
    }

    private static OnnxMl.TensorProto.DataType unsignedType(DataType unsigned) {
        return switch (unsigned) {
            case UINT16 -> OnnxMl.TensorProto.DataType.UINT16;
            case UINT32 -> OnnxMl.TensorProto.DataType.UINT32;
            case UINT64 -> OnnxMl.TensorProto.DataType.UINT64;
            default -> throw new IllegalArgumentException(unsigned + " needs no carrier");
        };
    }
}
