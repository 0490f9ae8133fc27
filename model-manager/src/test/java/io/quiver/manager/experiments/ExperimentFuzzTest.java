package io.quiver.manager.experiments;

import static io.quiver.common.fuzz.ClientFaults.LONGEST_RUN;
import static io.quiver.common.fuzz.ClientFaults.refusedOrBound;
import static io.quiver.common.fuzz.ClientFaults.typedBody;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.quiver.common.fuzz.HeadedInput;
import java.util.List;

/**
 * The experiments API's bodies and the bodies routed through experiments, bound with the service's
 * mapper configuration and checked as the resources check them: an experiment, a change or a
 * prediction to route, or a 4xx naming the fault.
 */
class ExperimentFuzzTest {
    private static final Experiment CHECKOUT = new Experiment("checkout",
            List.of(new Variant("a", new Target("house_price", null, List.of()), 80),
                    new Variant("b", new Target(null, null, List.of("server-1")), 20)),
            List.of(new Shadow("s", new Target("house_price_v2", "2", List.of()), 10)), "X-User-Id", "user", "a");

    /** {@code PUT /experiments/{name}}: the input's first line is the name in the path, the rest the body. */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void putBody(byte[] input) {
        HeadedInput put = HeadedInput.split(input);
        if (put == null) {
            return;
        }
        refusedOrBound(() -> {
            ExperimentJson.Spec spec = typedBody(put.body(), ExperimentJson.Spec.class);
            if (spec != null) {
                spec.toExperiment(put.head());
            }
        });
    }

    /** {@code PATCH /experiments/checkout}: new weights and shadow percents. */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void weightChange(byte[] body) {
        refusedOrBound(() -> {
            WeightChange change = typedBody(body, WeightChange.class);
            if (change != null) {
                change.apply(CHECKOUT);
            }
        });
    }

    /** {@code POST /api/v1/predictions} to an experiment whose sticky field is {@code user}. */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void predictionBody(byte[] body) {
        refusedOrBound(() -> {
            PredictionRequest request = typedBody(body, PredictionRequest.class);
            if (request != null) {
                request.features(CHECKOUT);
                request.sticky(CHECKOUT);
            }
        });
    }

    /**
     * {@code POST /aggregate} naming model types; a body naming an experiment is checked against
     * the experiment store, which ExperimentStore's own tests cover.
     */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void aggregateBody(byte[] body) {
        refusedOrBound(() -> {
            AggregateRequest.Body request = typedBody(body, AggregateRequest.Body.class);
            if (request != null && request.experiment() == null) {
                AggregateRequest.of(request, null, 2_000, 30_000);
            }
        });
    }
}
