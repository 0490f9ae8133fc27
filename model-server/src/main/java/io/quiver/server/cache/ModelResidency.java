package io.quiver.server.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.quiver.server.config.ServerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Keeps the estimated memory of resident models under a budget by evicting the least recently used
 * ones, as multi-model endpoints do; an evicted model is loaded again on its next request. The hot
 * path only stamps a use time on the model; the search for the least recent runs on admission.
 *
 * <p>Exported as {@code quiver_cache_memory_used_bytes} against {@code quiver_cache_memory_budget_bytes},
 * {@code quiver_cache_resident_models} and {@code quiver_cache_evictions_total}: evictions that keep
 * rising mean the budget is too small for the models in use, and every eviction costs a reload.
 */
@ApplicationScoped
public class ModelResidency {
    private static final Logger LOG = Logger.getLogger(ModelResidency.class);

    private final long budgetBytes;
    private final Set<Resident> residents = ConcurrentHashMap.newKeySet();
    private final Counter evictions;

    @Inject
    ModelResidency(ServerConfig config, MeterRegistry meters) {
        this(config.cache().memoryBudget().asLongValue(), meters);
    }

    ModelResidency(long budgetBytes, MeterRegistry meters) {
        this.budgetBytes = budgetBytes;
        // Read at each scrape, not on the request path.
        Gauge.builder("quiver.cache.memory.used", this, ModelResidency::usedBytes)
                .description("Estimated memory of the resident models").baseUnit(BaseUnits.BYTES).register(meters);
        Gauge.builder("quiver.cache.memory.budget", this, ModelResidency::budgetBytes)
                .description("The memory budget of resident models (quiver.cache.memory-budget)")
                .baseUnit(BaseUnits.BYTES).register(meters);
        Gauge.builder("quiver.cache.resident", residents, Set::size)
                .description("Model versions resident in memory").baseUnit("models").register(meters);
        evictions = Counter.builder("quiver.cache.evictions")
                .description("Model versions evicted to stay within the memory budget").register(meters);
    }

    /** Counts a newly resident model and evicts others until the total fits the budget again. */
    public void admit(Resident admitted) {
        List<Resident> victims = new ArrayList<>();
        synchronized (this) {
            residents.add(admitted);
            long used = usedBytes();
            if (used <= budgetBytes) {
                return;
            }
            // Requests stamp their use times without this lock, so each is read once, here: a sort
            // reading stamps that move under it may throw (TimSort checks its comparator's contract).
            List<UsedAt> candidates = new ArrayList<>(residents.size());
            for (Resident resident : residents) {
                if (resident != admitted) {
                    candidates.add(new UsedAt(resident, resident.lastUsedNanos()));
                }
            }
            candidates.sort(Comparator.comparingLong(UsedAt::nanos));
            for (UsedAt candidate : candidates) {
                if (used <= budgetBytes) {
                    break;
                }
                residents.remove(candidate.resident());
                used -= candidate.resident().residentBytes();
                victims.add(candidate.resident());
            }
            if (used > budgetBytes) {
                LOG.warnf("resident models take %d bytes, over the budget of %d (quiver.cache.memory-budget)",
                        used, budgetBytes);
            }
        }
        for (Resident victim : victims) {
            // DEBUG: at a high miss rate this is thousands of lines a minute; the counter gives the rate.
            LOG.debugf("evicting %s to stay within the memory budget", victim);
            victim.evict();
            evictions.increment();
        }
    }

    /** A resident and its use time as one admission read it. */
    private record UsedAt(Resident resident, long nanos) {
    }

    public synchronized void forget(Resident resident) {
        residents.remove(resident);
    }

    public long usedBytes() {
        return residents.stream().mapToLong(Resident::residentBytes).sum();
    }

    public long budgetBytes() {
        return budgetBytes;
    }
}
