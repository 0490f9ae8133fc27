package io.quiver.examples;

import static io.quiver.examples.ExporterWeights.*;
import static io.quiver.examples.OnnxProtos.ML_DOMAIN;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Models as skl2onnx 1.17 converts fitted scikit-learn estimators: its input and output names
 * ({@code float_input}, {@code output_label}, {@code output_probability}), its node names, the
 * ai.onnx.ml operators with the attribute sets it writes, and probabilities handed out through
 * ZipMap as a sequence of {@code {class label: probability}} maps.
 */
final class SklearnExports {
    private static final String PRODUCER = "skl2onnx";
    private static final String PRODUCER_VERSION = "1.17.0";
    private static final int OPSET = 17;
    private static final String BATCH = "N";

    private SklearnExports() {
    }

    /** LogisticRegression(multi_class="multinomial") fitted on integer targets 0, 1, 2. */
    static ModelProto logisticRegressionIntLabels() {
        long[] labels = {0, 1, 2};
        GraphProto graph = GraphProto.newBuilder()
                .setName("sklearn_logreg_int")
                .addInput(OnnxProtos.tensor("float_input", DataType.FLOAT, BATCH, IRIS_FEATURES))
                .addOutput(OnnxProtos.tensor("output_label", DataType.INT64, BATCH))
                .addOutput(OnnxProtos.sequenceOfMaps("output_probability", DataType.INT64, DataType.FLOAT))
                .addNode(linearClassifier("label", OnnxProtos.ints("classlabels_ints", labels)))
                .addNode(normalizer())
                .addNode(OnnxProtos.node("", "Cast", "Cast", List.of("label"), List.of("output_label"),
                        OnnxProtos.integer("to", DataType.INT64.getNumber())))
                .addNode(zipMap(OnnxProtos.ints("classlabels_int64s", labels)))
                .build();
        return OnnxProtos.model(PRODUCER, PRODUCER_VERSION, graph, opsets(1));
    }

    /** The same estimator fitted on the iris species names: labels are strings. */
    static ModelProto logisticRegressionStringLabels() {
        GraphProto graph = GraphProto.newBuilder()
                .setName("sklearn_logreg_str")
                .addInput(OnnxProtos.tensor("float_input", DataType.FLOAT, BATCH, IRIS_FEATURES))
                .addOutput(OnnxProtos.tensor("output_label", DataType.STRING, BATCH))
                .addOutput(OnnxProtos.sequenceOfMaps("output_probability", DataType.STRING, DataType.FLOAT))
                .addNode(linearClassifier("output_label", OnnxProtos.strings("classlabels_strings", IRIS_NAMES)))
                .addNode(normalizer())
                .addNode(zipMap(OnnxProtos.strings("classlabels_strings", IRIS_NAMES)))
                .build();
        return OnnxProtos.model(PRODUCER, PRODUCER_VERSION, graph, opsets(1));
    }

    /** RandomForestClassifier(n_estimators=3) on integer targets; ai.onnx.ml 3, as skl2onnx writes TreeEnsemble. */
    static ModelProto randomForest() {
        List<Long> treeIds = new ArrayList<>(), nodeIds = new ArrayList<>(), featureIds = new ArrayList<>();
        List<Long> trueIds = new ArrayList<>(), falseIds = new ArrayList<>(), missingTrue = new ArrayList<>();
        List<Float> values = new ArrayList<>(), hitRates = new ArrayList<>();
        List<String> modes = new ArrayList<>();
        List<Long> classTreeIds = new ArrayList<>(), classNodeIds = new ArrayList<>(), classIds = new ArrayList<>();
        List<Float> classWeights = new ArrayList<>();
        for (int tree = 0; tree < FOREST.length; tree++) {
            for (int id = 0; id < FOREST[tree].length; id++) {
                TreeNode node = FOREST[tree][id];
                treeIds.add((long) tree);
                nodeIds.add((long) id);
                featureIds.add((long) node.feature());
                values.add(node.threshold());
                hitRates.add(1f);
                missingTrue.add(0L);
                modes.add(node.isLeaf() ? "LEAF" : "BRANCH_LEQ");
                trueIds.add((long) node.ifTrue());
                falseIds.add((long) node.ifFalse());
                if (node.isLeaf()) {
                    // A forest's answer is the mean of its trees': skl2onnx divides each leaf by the tree count.
                    for (int c = 0; c < IRIS_CLASSES; c++) {
                        classTreeIds.add((long) tree);
                        classNodeIds.add((long) id);
                        classIds.add((long) c);
                        classWeights.add(node.leaf()[c] / FOREST.length);
                    }
                }
            }
        }
        long[] labels = {0, 1, 2};
        GraphProto graph = GraphProto.newBuilder()
                .setName("sklearn_forest_int")
                .addInput(OnnxProtos.tensor("float_input", DataType.FLOAT, BATCH, IRIS_FEATURES))
                .addOutput(OnnxProtos.tensor("output_label", DataType.INT64, BATCH))
                .addOutput(OnnxProtos.sequenceOfMaps("output_probability", DataType.INT64, DataType.FLOAT))
                .addNode(OnnxProtos.node(ML_DOMAIN, "TreeEnsembleClassifier", "TreeEnsembleClassifier",
                        List.of("float_input"), List.of("label", "probabilities"),
                        OnnxProtos.ints("class_ids", longs(classIds)),
                        OnnxProtos.ints("class_nodeids", longs(classNodeIds)),
                        OnnxProtos.ints("class_treeids", longs(classTreeIds)),
                        OnnxProtos.floats("class_weights", floats(classWeights)),
                        OnnxProtos.ints("classlabels_int64s", labels),
                        OnnxProtos.ints("nodes_falsenodeids", longs(falseIds)),
                        OnnxProtos.ints("nodes_featureids", longs(featureIds)),
                        OnnxProtos.floats("nodes_hitrates", floats(hitRates)),
                        OnnxProtos.ints("nodes_missing_value_tracks_true", longs(missingTrue)),
                        OnnxProtos.strings("nodes_modes", modes.toArray(String[]::new)),
                        OnnxProtos.ints("nodes_nodeids", longs(nodeIds)),
                        OnnxProtos.ints("nodes_treeids", longs(treeIds)),
                        OnnxProtos.ints("nodes_truenodeids", longs(trueIds)),
                        OnnxProtos.floats("nodes_values", floats(values)),
                        OnnxProtos.string("post_transform", "NONE")))
                .addNode(OnnxProtos.node("", "Cast", "Cast", List.of("label"), List.of("output_label"),
                        OnnxProtos.integer("to", DataType.INT64.getNumber())))
                .addNode(OnnxProtos.node(ML_DOMAIN, "ZipMap", "ZipMap", List.of("probabilities"),
                        List.of("output_probability"), OnnxProtos.ints("classlabels_int64s", labels)))
                .build();
        return OnnxProtos.model(PRODUCER, PRODUCER_VERSION, graph, opsets(3));
    }

    /** LabelEncoder fitted on colour names, applied to a 1-D string column; unseen names give -1. */
    static ModelProto labelEncoder() {
        long[] codes = new long[COLOURS.length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = i;
        }
        GraphProto graph = GraphProto.newBuilder()
                .setName("sklearn_label_encoder")
                .addInput(OnnxProtos.tensor("string_input", DataType.STRING, BATCH))
                .addOutput(OnnxProtos.tensor("variable", DataType.INT64, BATCH))
                .addNode(OnnxProtos.node(ML_DOMAIN, "LabelEncoder", "LabelEncoder",
                        List.of("string_input"), List.of("variable"),
                        OnnxProtos.strings("keys_strings", COLOURS),
                        OnnxProtos.ints("values_int64s", codes),
                        OnnxProtos.integer("default_int64", UNKNOWN_COLOUR)))
                .build();
        return OnnxProtos.model(PRODUCER, PRODUCER_VERSION, graph, opsets(2));
    }

    private static Map<String, Integer> opsets(int mlVersion) {
        Map<String, Integer> opsets = new LinkedHashMap<>();
        opsets.put("", OPSET);
        opsets.put(ML_DOMAIN, mlVersion);
        return opsets;
    }

    /** Softmax over the class scores, as skl2onnx converts a multinomial model. */
    private static NodeProto linearClassifier(String labelOutput, AttributeProto classLabels) {
        return OnnxProtos.node(ML_DOMAIN, "LinearClassifier", "LinearClassifier",
                List.of("float_input"), List.of(labelOutput, "probability_tensor"),
                classLabels,
                OnnxProtos.floats("coefficients", LOGREG_COEFFICIENTS),
                OnnxProtos.floats("intercepts", LOGREG_INTERCEPTS),
                OnnxProtos.integer("multi_class", 1),
                OnnxProtos.string("post_transform", "SOFTMAX"));
    }

    /** skl2onnx follows a probabilistic LinearClassifier with an L1 Normalizer, a no-op after softmax. */
    private static NodeProto normalizer() {
        return OnnxProtos.node(ML_DOMAIN, "Normalizer", "Normalizer", List.of("probability_tensor"),
                List.of("probabilities"), OnnxProtos.string("norm", "L1"));
    }

    private static NodeProto zipMap(AttributeProto classLabels) {
        return OnnxProtos.node(ML_DOMAIN, "ZipMap", "ZipMap", List.of("probabilities"),
                List.of("output_probability"), classLabels);
    }

    private static long[] longs(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static float[] floats(List<Float> values) {
        float[] array = new float[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }
}
