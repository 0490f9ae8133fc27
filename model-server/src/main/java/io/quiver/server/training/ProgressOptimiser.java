package io.quiver.server.training;

import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.Tensor;

/**
 * Wraps a Tribuo optimiser to see every gradient step: the job counts it (epochs and progress) and,
 * once cancelled, throws out of the learner between two steps.
 */
final class ProgressOptimiser implements StochasticGradientOptimiser {
    private final StochasticGradientOptimiser delegate;
    private final TrainingJob job;

    ProgressOptimiser(StochasticGradientOptimiser delegate, TrainingJob job) {
        this.delegate = delegate;
        this.job = job;
    }

    @Override
    public void initialise(Parameters parameters) {
        delegate.initialise(parameters);
    }

    @Override
    public Tensor[] step(Tensor[] updates, double weight) {
        job.step();
        return delegate.step(updates, weight);
    }

    @Override
    public void finalise() {
        delegate.finalise();
    }

    @Override
    public void reset() {
        delegate.reset();
    }

    /** Tribuo trains on a copy; the copy reports to the same job. */
    @Override
    public StochasticGradientOptimiser copy() {
        return new ProgressOptimiser(delegate.copy(), job);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return delegate.getProvenance();
    }
}
