package io.quiver.manager.dashboard;

import io.quiver.manager.config.ManagerConfig;
import io.quiver.manager.registry.RegistryEvents;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.registry.ServiceView;
import io.quiver.manager.routing.ReplicaSelector;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Gathers the dashboard's summary from the registry, each replica's figures and the inventory. */
@ApplicationScoped
public class Dashboard {
    /** Services shown at most: the page is for looking at, and a registry of thousands is read through the API. */
    static final int MAX_SERVICES = 500;
    static final int EVENTS = 50;

    private final ServiceRegistry registry;
    private final ReplicaInventory inventory;
    private final RegistryEvents events;
    private final ReplicaSelector selector;
    private final long refreshMillis;

    Dashboard(ServiceRegistry registry, ReplicaInventory inventory, RegistryEvents events, ReplicaSelector selector,
              ManagerConfig config) {
        this.registry = registry;
        this.inventory = inventory;
        this.events = events;
        this.selector = selector;
        this.refreshMillis = Math.max(1_000, config.health().interval().toMillis());
    }

    public DashboardSummary summary() {
        inventory.watched();
        List<DashboardSummary.Service> services = new ArrayList<>();
        List<DashboardSummary.Job> jobs = new ArrayList<>();
        for (Replica replica : registry.all().stream().limit(MAX_SERVICES).toList()) {
            ReplicaInventory.Held held = inventory.of(replica.id());
            long resident = held.models().stream().filter(ReplicaInventory.ModelCopy::resident)
                    .mapToLong(ReplicaInventory.ModelCopy::sizeBytes).sum();
            services.add(new DashboardSummary.Service(replica.id(), replica.record().serviceUrl(),
                    replica.record().modelType(), replica.record().capabilities(), ServiceView.health(replica),
                    selector.limit(replica), replica.traffic().minutes(), held.models(), resident, held.budgetBytes(),
                    held.readAt(),
                    held.error()));
            held.jobs().forEach(job -> jobs.add(new DashboardSummary.Job(replica.id(), job)));
        }
        return new DashboardSummary(Instant.now(), refreshMillis, services, jobs, events.recent(EVENTS));
    }
}
