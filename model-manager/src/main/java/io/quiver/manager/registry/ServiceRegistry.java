package io.quiver.manager.registry;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.net.DestinationPolicy;
import io.quiver.manager.config.ManagerConfig;
import io.quiver.manager.health.ReplicaHealth;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The services the manager routes to. Every change is journaled before it is acknowledged, so a
 * registration survives a crash of the manager. Routing reads a by-type index rebuilt on each
 * change, so its cost does not grow with the number of services.
 */
@ApplicationScoped
public class ServiceRegistry {
    private static final Logger LOG = Logger.getLogger(ServiceRegistry.class);

    private final Map<String, Replica> replicas = new ConcurrentHashMap<>();
    private final ManagerConfig config;
    private final RegistryJournal journal;
    private final Event<ServiceRemoved> removals;
    private final DestinationPolicy destinations;
    private volatile Map<String, List<Replica>> byType = Map.of();

    ServiceRegistry(ManagerConfig config, Event<ServiceRemoved> removals) {
        this.config = config;
        this.removals = removals;
        this.destinations = new DestinationPolicy(config.registry().allowedHosts().orElse(List.of()),
                config.registry().deniedHosts(), "quiver.manager.registry.allowed-hosts and denied-hosts");
        Map<String, ServiceRecord> recorded = new LinkedHashMap<>();
        this.journal = RegistryJournal.open(config.registry().dataDir(), recorded);
        recorded.values().forEach(r -> replicas.put(r.serviceId(), newReplica(r)));
        reindex();
    }

    void onStart(@Observes StartupEvent event) {
        LOG.infof("registry holds %d services from %s", replicas.size(), config.registry().dataDir().toAbsolutePath());
    }

    void onStop(@Observes ShutdownEvent event) {
        journal.close();
    }

    /**
     * Adds or replaces a service; true when it is new. Its URL must name a host the manager may
     * call, checked here, where every registration passes, and outside the lock, since it resolves.
     */
    public boolean register(ServiceRecord record) {
        destinations.check("service_url", URI.create(record.serviceUrl()));
        return store(record);
    }

    private synchronized boolean store(ServiceRecord record) {
        Replica existing = replicas.get(record.serviceId());
        journal.put(record, records(record));
        if (existing != null && existing.record().serviceUrl().equals(record.serviceUrl())) {
            existing.record(record);
            existing.heartbeat();
        } else {
            replicas.put(record.serviceId(), newReplica(record));
        }
        reindex();
        LOG.infof("%s service %s at %s (%s)", existing == null ? "registered" : "updated", record.serviceId(),
                record.serviceUrl(), record.modelTypes());
        return existing == null;
    }

    /** Renews a lease and takes the service's current models. */
    public synchronized Replica heartbeat(String id, List<String> types, List<ServiceRecord.ServedModel> models) {
        Replica replica = require(id);
        replica.heartbeat();
        if (types != null && models != null
                && (!types.equals(replica.record().modelTypes()) || !models.equals(replica.record().models()))) {
            ServiceRecord updated = replica.record().withModels(types, models);
            journal.put(updated, records(updated));
            replica.record(updated);
            reindex();
        }
        return replica;
    }

    public synchronized ServiceRecord remove(String id) {
        Replica removed = replicas.get(id);
        if (removed == null) {
            throw unknown(id);
        }
        List<ServiceRecord> remaining = new ArrayList<>();
        replicas.values().stream().filter(r -> !r.id().equals(id)).forEach(r -> remaining.add(r.record()));
        journal.remove(id, remaining);
        replicas.remove(id);
        reindex();
        removals.fire(new ServiceRemoved(id));
        LOG.infof("removed service %s", id);
        return removed.record();
    }

    /** Removes the services whose lease ran out; returns their ids. */
    public List<String> expire() {
        Instant now = Instant.now();
        List<String> expired = replicas.values().stream().filter(r -> r.expired(now)).map(Replica::id).toList();
        for (String id : expired) {
            try {
                remove(id);
                LOG.warnf("service %s expired: no heartbeat within its lease", id);
            } catch (NotFoundException e) {
                // Removed meanwhile.
            }
        }
        return expired;
    }

    public Replica require(String id) {
        Replica replica = replicas.get(id);
        if (replica == null) {
            throw unknown(id);
        }
        return replica;
    }

    public List<Replica> all() {
        return replicas.values().stream().sorted(Comparator.comparing(Replica::id)).toList();
    }

    /** Services that declare {@code type} (a model type or a model name), in a stable order. */
    public List<Replica> serving(String type) {
        return byType.getOrDefault(type.toLowerCase(Locale.ROOT), List.of());
    }

    public int size() {
        return replicas.size();
    }

    private void reindex() {
        Map<String, List<Replica>> index = new HashMap<>();
        for (Replica replica : all()) {
            ServiceRecord record = replica.record();
            java.util.Set<String> keys = new java.util.LinkedHashSet<>();
            keys.add(record.modelType().toLowerCase(Locale.ROOT));
            record.modelTypes().forEach(t -> keys.add(t.toLowerCase(Locale.ROOT)));
            keys.forEach(k -> index.computeIfAbsent(k, x -> new ArrayList<>()).add(replica));
        }
        index.replaceAll((k, v) -> List.copyOf(v));
        byType = Map.copyOf(index);
    }

    private List<ServiceRecord> records(ServiceRecord replacing) {
        List<ServiceRecord> live = new ArrayList<>();
        replicas.values().stream().filter(r -> !r.id().equals(replacing.serviceId())).forEach(r -> live.add(r.record()));
        live.add(replacing);
        return live;
    }

    private Replica newReplica(ServiceRecord record) {
        return new Replica(record, new ReplicaHealth(config.health()));
    }

    private static NotFoundException unknown(String id) {
        return new NotFoundException("no service '" + id + "' is registered");
    }
}
