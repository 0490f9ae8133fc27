package io.quiver.server.training;

import static io.quiver.common.fuzz.ClientFaults.LONGEST_RUN;
import static io.quiver.common.fuzz.ClientFaults.refusedOrBound;
import static io.quiver.common.fuzz.ClientFaults.typedBody;
import static io.quiver.common.fuzz.ClientFaults.refusedOrDecoded;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.quiver.common.training.TrainingMessages.TrainRequest;
import io.quiver.common.training.TrainingMessages.TrainingConfig;
import java.util.List;

/**
 * Training data and {@code POST /train} bodies, read and checked as a job would take them: training
 * data, or a 4xx naming the row, column or field at fault. The limits are small, so that the
 * fuzzer meets them too.
 */
class TrainingDataFuzzTest {
    private static final TrainingLimits LIMITS = new TrainingLimits(200, 2_000);
    /** What each kind of learner takes from the same table. */
    private static final List<DataSpec> SPECS = List.of(
            new DataSpec(Algorithm.LINEAR_REGRESSION, "y", null, 0, 0, LIMITS),
            new DataSpec(Algorithm.LOGISTIC_REGRESSION, "label", List.of("a", "b"), 0, 0, LIMITS),
            new DataSpec(Algorithm.LINEAR_AUTOREGRESSION, null, null, 3, 1, LIMITS));

    /** The input is a CSV file (config.data_uri, format csv). */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void csvData(byte[] file) {
        prepare(file, "csv", "data.csv");
    }

    /** The input is a JSON file (config.data_uri, format json): rows of named columns, or a series. */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void jsonData(byte[] file) {
        prepare(file, "json", "data.json");
    }

    /**
     * The input is a {@code POST /train} body with inline data; bodies that name a file, a URL or a
     * query are left to the tests of those sources, as reading them is not decoding.
     */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void trainRequest(byte[] body) {
        TrainingRequests requests = new TrainingRequests(null, null, LIMITS);
        refusedOrBound(() -> {
            TrainRequest request = typedBody(body, TrainRequest.class);
            if (request == null || request.modelType() == null || request.config() == null) {
                return; // refused by the request's @NotNull constraints, a 400
            }
            TrainingConfig config = request.config();
            boolean inline = config.data() != null && !config.data().isNull();
            if (!inline && (config.dataUri() != null || config.dataSource() != null)) {
                return;
            }
            requests.parse(request).data().get();
        });
    }

    private static void prepare(byte[] file, String format, String name) {
        Table[] table = new Table[1];
        refusedOrDecoded(() -> table[0] = Table.fromBytes(file, format, name, LIMITS));
        if (table[0] != null) {
            for (DataSpec spec : SPECS) {
                refusedOrDecoded(() -> spec.prepare(table[0]));
            }
        }
    }
}
