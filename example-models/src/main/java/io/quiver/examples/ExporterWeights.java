package io.quiver.examples;

/**
 * The parameters of the exporter-style models, read both by the graphs ({@link SklearnExports},
 * {@link TorchExports}) and by {@link ExporterReference}. Float32 or half, as the graphs store them.
 */
final class ExporterWeights {
    private ExporterWeights() {
    }

    // --- scikit-learn LogisticRegression(multi_class="multinomial") on iris-like data ---
    static final int IRIS_FEATURES = 4;
    static final int IRIS_CLASSES = 3;
    static final String[] IRIS_NAMES = {"setosa", "versicolor", "virginica"};
    /** coef_, [classes, features] row-major, as LinearClassifier's {@code coefficients}. */
    static final float[] LOGREG_COEFFICIENTS = {
            -0.42f, 0.97f, -2.40f, -1.03f,
            0.53f, -0.32f, -0.21f, -0.79f,
            -0.11f, -0.65f, 2.61f, 1.82f,
    };
    static final float[] LOGREG_INTERCEPTS = {9.85f, 2.24f, -12.09f};

    // --- scikit-learn RandomForestClassifier(n_estimators=3, max_depth=2) ---
    /** One node of a fitted tree: a split {@code x[feature] <= threshold} or, when {@code leaf} is set, class probabilities. */
    record TreeNode(int feature, float threshold, int ifTrue, int ifFalse, float[] leaf) {
        static TreeNode split(int feature, float threshold, int ifTrue, int ifFalse) {
            return new TreeNode(feature, threshold, ifTrue, ifFalse, null);
        }

        static TreeNode leaf(float... probabilities) {
            return new TreeNode(0, 0f, 0, 0, probabilities);
        }

        boolean isLeaf() {
            return leaf != null;
        }
    }

    /** Trees with node ids as array indexes, root first, as sklearn's {@code tree_} numbers them. */
    static final TreeNode[][] FOREST = {
            {
                    TreeNode.split(2, 2.45f, 1, 2),
                    TreeNode.leaf(1f, 0f, 0f),
                    TreeNode.split(3, 1.75f, 3, 4),
                    TreeNode.leaf(0f, 0.9f, 0.1f),
                    TreeNode.leaf(0f, 0.05f, 0.95f),
            },
            {
                    TreeNode.split(3, 0.8f, 1, 2),
                    TreeNode.leaf(1f, 0f, 0f),
                    TreeNode.split(2, 4.95f, 3, 4),
                    TreeNode.leaf(0f, 0.95f, 0.05f),
                    TreeNode.leaf(0f, 0.2f, 0.8f),
            },
            {
                    TreeNode.split(0, 5.45f, 1, 2),
                    TreeNode.split(1, 2.8f, 3, 4),
                    TreeNode.split(2, 4.75f, 5, 6),
                    TreeNode.leaf(0.1f, 0.8f, 0.1f),
                    TreeNode.leaf(0.9f, 0.1f, 0f),
                    TreeNode.leaf(0f, 1f, 0f),
                    TreeNode.leaf(0f, 0.1f, 0.9f),
            },
    };

    // --- scikit-learn LabelEncoder / OrdinalEncoder over colours ---
    /** classes_, sorted as scikit-learn sorts them; a colour's code is its index. */
    static final String[] COLOURS = {"blue", "green", "red"};
    static final long UNKNOWN_COLOUR = -1;

    // --- torch nn.Sequential(Linear(4, 3), ReLU(), Linear(3, 2)).half() ---
    static final int HALF_IN = 4;
    static final int HALF_HIDDEN = 3;
    static final int HALF_OUT = 2;
    /** fc1.weight transposed to [in, hidden], as torch.onnx writes a MatMul operand; multiples of 1/8, exact in half. */
    static final float[] HALF_W1 = {
            0.5f, -0.25f, 1.0f,
            -0.75f, 0.125f, 0.5f,
            0.25f, 1.5f, -0.5f,
            1.0f, -1.0f, 0.375f,
    };
    static final float[] HALF_B1 = {0.125f, -0.5f, 0.25f};
    /** fc2.weight transposed to [hidden, out]. */
    static final float[] HALF_W2 = {
            1.25f, -0.5f,
            -0.75f, 1.0f,
            0.5f, 0.875f,
    };
    static final float[] HALF_B2 = {-0.25f, 0.5f};

    // --- torchvision-style preprocessing and a linear head over 4x4 RGB images ---
    static final int IMAGE_CHANNELS = 3;
    static final int IMAGE_SIZE = 4;
    static final int IMAGE_CLASSES = 2;
    /** torchvision's ImageNet normalisation. */
    static final float[] IMAGE_MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] IMAGE_STD = {0.229f, 0.224f, 0.225f};
    /** head.weight transposed to [channels, classes]. */
    static final float[] IMAGE_HEAD_W = {
            0.8f, -0.6f,
            -0.3f, 0.9f,
            0.5f, 0.2f,
    };
    static final float[] IMAGE_HEAD_B = {0.05f, -0.1f};
}
