package io.quiver.server.cache;

import io.quiver.server.config.ServerConfig;
import jakarta.enterprise.context.ApplicationScoped;
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
 */
@ApplicationScoped
public class ModelResidency {
    private static final Logger LOG = Logger.getLogger(ModelResidency.class);

    private final long budgetBytes;
    private final Set<Resident> residents = ConcurrentHashMap.newKeySet();

    ModelResidency(ServerConfig config) {
        this.budgetBytes = config.cache().memoryBudget().asLongValue();
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
            List<Resident> candidates = new ArrayList<>(residents);
            candidates.remove(admitted);
            candidates.sort(Comparator.comparingLong(Resident::lastUsedNanos));
            for (Resident candidate : candidates) {
                if (used <= budgetBytes) {
                    break;
                }
                residents.remove(candidate);
                used -= candidate.residentBytes();
                victims.add(candidate);
            }
            if (used > budgetBytes) {
                LOG.warnf("resident models take %d bytes, over the budget of %d (quiver.cache.memory-budget)",
                        used, budgetBytes);
            }
        }
        for (Resident victim : victims) {
            LOG.infof("evicting %s to stay within the memory budget", victim);
            victim.evict();
        }
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
