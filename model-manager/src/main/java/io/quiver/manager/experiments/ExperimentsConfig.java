package io.quiver.manager.experiments;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Settings of A/B experiments, shadows and aggregate predictions; docs/model-manager/configuration.md lists them. */
@ConfigMapping(prefix = "quiver.manager.experiments")
public interface ExperimentsConfig {

    /**
     * A JSON file {@code {"experiments": {"name": {...}}}} read at start (EXPERIMENTS_FILE). It creates
     * the experiments the manager does not hold yet; one changed through the API since keeps its state.
     */
    Optional<Path> file();

    /** Shadow copies queued or in flight at once; copies beyond it are dropped and counted, never waited for. */
    @WithDefault("256")
    int shadowCapacity();

    /** Largest relative difference at which a shadow's number still agrees with the primary's. */
    @WithDefault("0.001")
    double agreementTolerance();

    /** How long an aggregate prediction waits for its answers when it names no deadline_ms. */
    @WithDefault("2s")
    Duration aggregateDeadline();

    /** The longest deadline_ms an aggregate prediction may ask for. */
    @WithDefault("30s")
    Duration maxAggregateDeadline();
}
