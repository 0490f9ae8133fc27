package io.quiver.server.training;

import ai.onnx.proto.OnnxMl;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.ONNXExportable;
import org.tribuo.Output;
import org.tribuo.OutputFactory;
import org.tribuo.Trainer;
import org.tribuo.Tribuo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.fm.FMRegressionTrainer;
import org.tribuo.regression.sgd.objectives.SquaredLoss;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/**
 * Trains the learners with Tribuo and exports what they learned as an ONNX graph:
 * <pre>
 *   input [batch, F] → (x - mean) / scale → Tribuo's graph → × target scale + target mean → output
 * </pre>
 * so that the standardisation learners need is part of the served model. Classifiers output the
 * class index ({@value #LABEL}, INT64, first) and the class probabilities ({@value #PROBABILITIES}).
 */
final class Learners {
    static final String FEATURES = "features";
    static final String PREDICTION = "prediction";
    static final String LABEL = "label";
    static final String PROBABILITIES = "probabilities";
    static final String WINDOW = "window";
    static final String FORECAST = "forecast";
    /** Share of the rows held out for evaluation (tabular data: chosen at random with the seed). */
    static final double HELD_OUT = 0.2;
    /** AdaGrad's epsilon, added to the squared-gradient sums before their square root. */
    static final double ADAGRAD_EPSILON = 0.1;

    private Learners() {
    }

    /**
     * The trained model's ONNX file and what evaluating and describing it needs.
     *
     * @param labels classification: class names in the order of the class index output
     */
    record Trained(byte[] onnx, String input, String output, TestSet test, int trainRows, List<String> labels) {
    }

    static Trained train(TrainingRequest request, TrainingData data, TrainingJob job) {
        if (data instanceof TrainingData.Series series) {
            return forecaster(request, series, job);
        }
        TrainingData.Tabular table = (TrainingData.Tabular) data;
        return table.classes() == null ? regression(request, table, job) : classifier(request, table, job);
    }

    private static Trained regression(TrainingRequest request, TrainingData.Tabular data, TrainingJob job) {
        Hyperparameters h = request.hyperparameters();
        int features = data.features().size();
        int[][] split = split(data.rows(), h.seed());
        int[] train = split[0];
        Standardiser xs = Standardiser.of(data.x(), train, features);
        double[] trainY = new double[train.length];
        for (int i = 0; i < train.length; i++) {
            trainY[i] = data.y()[train[i]];
        }
        Standardiser ys = Standardiser.ofRange(trainY, 0, trainY.length, 1);

        RegressionFactory factory = new RegressionFactory();
        MutableDataset<Regressor> dataset = new MutableDataset<>(provenance(request, factory), factory);
        String[] names = featureNames(features);
        for (int r : train) {
            dataset.add(new ArrayExample<>(new Regressor(dimensionName(0), ys.apply(0, data.y()[r])), names,
                    standardised(xs, data.x()[r])));
        }
        checkFeatures(dataset, features);
        Trainer<Regressor> trainer = request.algorithm() == Algorithm.FACTORIZATION_MACHINE
                ? new FMRegressionTrainer(new SquaredLoss(), optimiser(h, job), h.epochs(), -1, h.minibatchSize(), h.seed(),
                        h.factors(), h.initVariance(), false)
                : new org.tribuo.regression.sgd.linear.LinearSGDTrainer(new SquaredLoss(), optimiser(h, job), h.epochs(), -1,
                        h.minibatchSize(), h.seed());
        Model<Regressor> model = fit(trainer, dataset, h, job);
        checkDimensions(model, 1);

        ONNXContext onnx = context(request);
        ONNXPlaceholder input = onnx.floatInput(FEATURES, features);
        scaleBack(onnx, exportable(model).writeONNXGraph(standardise(onnx, input, xs)), ys)
                .assignTo(onnx.floatOutput(PREDICTION, 1));
        byte[] file = modelFile(onnx.buildGraph(), request);

        int[] test = split[1];
        double[] y = new double[test.length];
        for (int i = 0; i < test.length; i++) {
            y[i] = data.y()[test[i]];
        }
        return new Trained(file, FEATURES, PREDICTION,
                new TestSet(rows(data.x(), test, features), test.length, features, y, 1, null, null), train.length, List.of());
    }

    private static Trained classifier(TrainingRequest request, TrainingData.Tabular data, TrainingJob job) {
        Hyperparameters h = request.hyperparameters();
        int features = data.features().size();
        int[][] split = split(data.rows(), h.seed());
        int[] train = split[0];
        Standardiser xs = Standardiser.of(data.x(), train, features);

        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset = new MutableDataset<>(provenance(request, factory), factory);
        String[] names = featureNames(features);
        for (int r : train) {
            dataset.add(new ArrayExample<>(new Label(data.classes()[r]), names, standardised(xs, data.x()[r])));
        }
        checkFeatures(dataset, features);
        if (dataset.getOutputInfo().size() < 2) {
            throw new IllegalArgumentException("the training rows hold only the class "
                    + dataset.getOutputInfo().getDomain() + "; classification needs at least two");
        }
        Trainer<Label> trainer = new org.tribuo.classification.sgd.linear.LinearSGDTrainer(new LogMulticlass(),
                optimiser(h, job), h.epochs(), -1, h.minibatchSize(), h.seed());
        Model<Label> model = fit(trainer, dataset, h, job);
        ImmutableOutputInfo<Label> info = model.getOutputIDInfo();
        List<String> labels = new ArrayList<>(info.size());
        for (int id = 0; id < info.size(); id++) {
            labels.add(info.getOutput(id).getLabel());
        }

        ONNXContext onnx = context(request);
        ONNXPlaceholder input = onnx.floatInput(FEATURES, features);
        exportable(model).writeONNXGraph(standardise(onnx, input, xs))
                .assignTo(onnx.floatOutput(PROBABILITIES, labels.size()));
        byte[] file = modelFile(withClassIndex(onnx.buildGraph()), request);

        int[] test = split[1];
        String[] classes = new String[test.length];
        for (int i = 0; i < test.length; i++) {
            classes[i] = data.classes()[test[i]];
        }
        return new Trained(file, FEATURES, LABEL,
                new TestSet(rows(data.x(), test, features), test.length, features, null, 1, classes, null), train.length, labels);
    }

    private static Trained forecaster(TrainingRequest request, TrainingData.Series data, TrainingJob job) {
        Hyperparameters h = request.hyperparameters();
        double[] v = data.values();
        int window = data.window();
        int horizon = data.horizon();
        int windows = DataSpec.windows(v.length, window, horizon);
        int firstHeldOut = windows - DataSpec.heldOutWindows(windows);
        int trainWindows = DataSpec.trainingWindows(windows, horizon);
        // Every value the training windows read or predict, and none that a held-out window predicts.
        Standardiser xs = Standardiser.ofRange(v, 0, firstHeldOut + window, window);
        Standardiser ys = Standardiser.ofRange(v, 0, firstHeldOut + window, horizon);

        RegressionFactory factory = new RegressionFactory();
        MutableDataset<Regressor> dataset = new MutableDataset<>(provenance(request, factory), factory);
        String[] names = featureNames(window);
        String[] dimensions = new String[horizon];
        for (int d = 0; d < horizon; d++) {
            dimensions[d] = dimensionName(d);
        }
        for (int k = 0; k < trainWindows; k++) {
            double[] lags = new double[window];
            for (int j = 0; j < window; j++) {
                lags[j] = xs.apply(j, v[k + j]);
            }
            double[] next = new double[horizon];
            for (int d = 0; d < horizon; d++) {
                next[d] = ys.apply(d, v[k + window + d]);
            }
            dataset.add(new ArrayExample<>(new Regressor(dimensions, next), names, lags));
        }
        checkFeatures(dataset, window);
        Trainer<Regressor> trainer = new org.tribuo.regression.sgd.linear.LinearSGDTrainer(new SquaredLoss(),
                optimiser(h, job), h.epochs(), -1, h.minibatchSize(), h.seed());
        Model<Regressor> model = fit(trainer, dataset, h, job);
        checkDimensions(model, horizon);

        ONNXContext onnx = context(request);
        ONNXPlaceholder input = onnx.floatInput(WINDOW, window);
        scaleBack(onnx, exportable(model).writeONNXGraph(standardise(onnx, input, xs)), ys)
                .assignTo(onnx.floatOutput(FORECAST, horizon));
        byte[] file = modelFile(onnx.buildGraph(), request);

        int held = windows - firstHeldOut;
        float[] x = new float[held * window];
        double[] y = new double[held * horizon];
        double[] naive = new double[held * horizon];
        for (int i = 0; i < held; i++) {
            int k = firstHeldOut + i;
            for (int j = 0; j < window; j++) {
                x[i * window + j] = (float) v[k + j];
            }
            for (int d = 0; d < horizon; d++) {
                y[i * horizon + d] = v[k + window + d];
                naive[i * horizon + d] = v[k + window - 1];
            }
        }
        return new Trained(file, WINDOW, FORECAST, new TestSet(x, held, window, y, horizon, null, naive), trainWindows,
                List.of());
    }

    private static <T extends Output<T>> Model<T> fit(Trainer<T> trainer, MutableDataset<T> dataset, Hyperparameters h,
                                                     TrainingJob job) {
        job.plan(h.epochs(), (dataset.size() + h.minibatchSize() - 1) / h.minibatchSize());
        job.checkCancelled();
        return trainer.train(dataset);
    }

    private static StochasticGradientOptimiser optimiser(Hyperparameters h, TrainingJob job) {
        return new ProgressOptimiser(new AdaGrad(h.learningRate(), ADAGRAD_EPSILON), job);
    }

    /** Rows shuffled with the seed: the first 80% to train on, the rest held out. */
    static int[][] split(int rows, long seed) {
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = rows - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int held = Math.max(1, (int) Math.round(rows * HELD_OUT));
        int[] train = java.util.Arrays.copyOfRange(order, 0, rows - held);
        int[] test = java.util.Arrays.copyOfRange(order, rows - held, rows);
        java.util.Arrays.sort(train);
        java.util.Arrays.sort(test);
        return new int[][] {train, test};
    }

    /**
     * Tribuo numbers features in the order of their names; zero-padded indexes keep the order of
     * the columns.
     */
    private static String[] featureNames(int count) {
        String[] names = new String[count];
        for (int i = 0; i < count; i++) {
            names[i] = String.format("x%06d", i);
        }
        return names;
    }

    private static String dimensionName(int index) {
        return String.format("y%06d", index);
    }

    private static double[] standardised(Standardiser xs, double[] row) {
        double[] out = new double[row.length];
        for (int c = 0; c < row.length; c++) {
            out[c] = xs.apply(c, row[c]);
        }
        return out;
    }

    private static float[] rows(double[][] x, int[] rows, int columns) {
        float[] out = new float[rows.length * columns];
        for (int i = 0; i < rows.length; i++) {
            for (int c = 0; c < columns; c++) {
                out[i * columns + c] = (float) x[rows[i]][c];
            }
        }
        return out;
    }

    private static void checkFeatures(MutableDataset<?> dataset, int features) {
        if (dataset.getFeatureIDMap().size() != features) {
            throw new IllegalStateException("the learner sees " + dataset.getFeatureIDMap().size() + " features of "
                    + features);
        }
    }

    /** Output dimensions must be in the order of their names, which is the order of the exported output. */
    private static void checkDimensions(Model<Regressor> model, int count) {
        ImmutableOutputInfo<Regressor> info = model.getOutputIDInfo();
        if (info.size() != count) {
            throw new IllegalStateException("the learner has " + info.size() + " outputs, not " + count);
        }
        for (int id = 0; id < count; id++) {
            String name = info.getOutput(id).getNames()[0];
            if (!name.equals(dimensionName(id))) {
                throw new IllegalStateException("output " + id + " of the learner is " + name);
            }
        }
    }

    private static ONNXExportable exportable(Model<?> model) {
        if (!(model instanceof ONNXExportable exportable)) {
            throw new IllegalStateException(model.getClass().getSimpleName() + " cannot be exported to ONNX");
        }
        return exportable;
    }

    private static <T extends Output<T>> SimpleDataSourceProvenance provenance(TrainingRequest request,
                                                                               OutputFactory<T> factory) {
        return new SimpleDataSourceProvenance(request.dataSource(), OffsetDateTime.now(), factory);
    }

    private static ONNXContext context(TrainingRequest request) {
        ONNXContext onnx = new ONNXContext();
        onnx.setName(request.modelType() + "-" + request.algorithm().wireName());
        return onnx;
    }

    private static ONNXNode standardise(ONNXContext onnx, ONNXRef<?> input, Standardiser xs) {
        return input.apply(ONNXOperators.SUB, onnx.array("feature_mean", xs.mean()))
                .apply(ONNXOperators.DIV, onnx.array("feature_scale", xs.scale()));
    }

    private static ONNXNode scaleBack(ONNXContext onnx, ONNXNode raw, Standardiser ys) {
        return raw.apply(ONNXOperators.MUL, onnx.array("target_scale", ys.scale()))
                .apply(ONNXOperators.ADD, onnx.array("target_mean", ys.mean()));
    }

    /** Adds the class index, ArgMax of the probabilities, as the first output. */
    private static OnnxMl.GraphProto withClassIndex(OnnxMl.GraphProto graph) {
        OnnxMl.GraphProto.Builder builder = graph.toBuilder();
        builder.addNode(OnnxMl.NodeProto.newBuilder()
                .setName("class_index")
                .setOpType("ArgMax")
                .addInput(PROBABILITIES)
                .addOutput(LABEL)
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis")
                        .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(1))
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("keepdims")
                        .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(0)));
        List<OnnxMl.ValueInfoProto> outputs = new ArrayList<>(builder.getOutputList());
        builder.clearOutput();
        builder.addOutput(OnnxMl.ValueInfoProto.newBuilder()
                .setName(LABEL)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.INT64.getNumber())
                        .setShape(OnnxMl.TensorShapeProto.newBuilder()
                                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))))));
        builder.addAllOutput(outputs);
        return builder.build();
    }

    private static byte[] modelFile(OnnxMl.GraphProto graph, TrainingRequest request) {
        return OnnxMl.ModelProto.newBuilder()
                .setGraph(graph)
                .setDomain("io.quiver.training")
                .setProducerName("quiver-model-server")
                .setProducerVersion("tribuo " + Tribuo.VERSION)
                .setModelVersion(1)
                .addOpsetImport(ONNXOperators.getOpsetProto())
                .setIrVersion(6)
                .setDocString(request.algorithm().wireName() + " trained for model " + request.modelType())
                .build()
                .toByteArray();
    }
}
