package io.quiver.manager.registry;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quiver.common.error.NotFoundException;
import io.quiver.common.net.DestinationPolicy;
import io.quiver.common.files.StorageUnavailableException;
import io.quiver.manager.config.ManagerConfig;
import jakarta.inject.Singleton;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.time.Instant;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The services the manager routes to. Every change is journaled before it is acknowledged, so a
 * registration survives a crash of the manager. Routing reads a by-type index that each change
 * updates for its own types only, so neither routing nor registering grows with the number of services.
 */
@Singleton
public class ServiceRegistry {
    private static final Logger LOG = Logger.getLogger(ServiceRegistry.class);
    private static final Comparator<Replica> BY_ID = Comparator.comparing(Replica::id);

    private final Map<String, Replica> replicas = new ConcurrentHashMap<>();
    private final ManagerConfig config;
    private final RegistryJournal journal;
    private final Event<ServiceRemoved> removals;
    private final RegistryEvents events;
    private final DestinationPolicy destinations;
    private final Map<String, List<Replica>> byType = new ConcurrentHashMap<>();

    ServiceRegistry(ManagerConfig config, Event<ServiceRemoved> removals, RegistryEvents events) {
        this.config = config;
        this.removals = removals;
        this.events = events;
        this.destinations = new DestinationPolicy(config.registry().allowedHosts().orElse(List.of()),
                config.registry().deniedHosts(), "quiver.manager.registry.allowed-hosts and denied-hosts");
        Map<String, ServiceRecord> recorded = new LinkedHashMap<>();
        this.journal = RegistryJournal.open(config.registry().dataDir(), recorded);
        recorded.values().forEach(r -> {
            Replica replica = newReplica(r);
            replicas.put(r.serviceId(), replica);
            reindex(null, null, replica);
        });
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
        if (record.grpcUrl() != null) {
            destinations.check("grpc_url", URI.create(record.grpcUrl()));
        }
        return store(record);
    }

    /**
     * Adds or replaces a service the manager placed itself (a deployment's model-server) at a URL
     * it made from its own settings. The destination policy guards the URLs clients give, so it is
     * not asked; and a Kubernetes Service's name may not resolve yet the moment after it is made.
     */
    public boolean registerOwn(ServiceRecord record) {
        return store(record);
    }

    private synchronized boolean store(ServiceRecord record) {
        Replica existing = replicas.get(record.serviceId());
        journal.put(record, records(record.serviceId(), record));
        if (existing != null && existing.record().serviceUrl().equals(record.serviceUrl())) {
            ServiceRecord before = existing.record();
            existing.record(record);
            existing.heartbeat();
            reindex(existing, before, existing);
        } else {
            Replica replica = newReplica(record);
            replicas.put(record.serviceId(), replica);
            reindex(existing, existing == null ? null : existing.record(), replica);
        }
        if (existing == null) {
            events.add("registered", record.serviceId(), record.serviceUrl());
        }
        LOG.infof("%s service %s at %s (%s)", existing == null ? "registered" : "updated", record.serviceId(),
                record.serviceUrl(), record.modelTypes());
        return existing == null;
    }

    /**
     * Routes requests for {@code record}'s types to it without making it a registered service: it
     * is not journaled, listed, health-checked, expired or reported, and no registry event says it
     * came or went. For the manager's own warm-up, whose stand-in replica must take the same path
     * through the router as a registered service and leave nothing behind ({@link #unroute}).
     */
    public synchronized Replica routeUnlisted(ServiceRecord record) {
        if (replicas.containsKey(record.serviceId())) {
            throw new IllegalArgumentException("service " + record.serviceId() + " is registered");
        }
        Replica replica = new Replica(record, new ReplicaHealth(config.health(), (from, to, detail) -> {
        }));
        reindex(null, null, replica);
        return replica;
    }

    /** Stops routing to a replica {@link #routeUnlisted} routed to, and lets go of what its traffic left. */
    public synchronized void unroute(Replica replica) {
        reindex(replica, replica.record(), null);
        removals.fire(new ServiceRemoved(replica.id()));
    }

    /** Renews a lease and takes the service's current models. */
    public synchronized Replica heartbeat(String id, List<String> types, List<ServiceRecord.ServedModel> models) {
        Replica replica = require(id);
        replica.heartbeat();
        if (types != null && models != null
                && (!types.equals(replica.record().modelTypes()) || !models.equals(replica.record().models()))) {
            update(replica, types, models);
        }
        return replica;
    }

    /**
     * Adds a model a service now serves, learnt from a training job it finished: a service that
     * sends no heartbeats would otherwise never be routed the type it trained. False when the
     * service is gone or already serves it.
     */
    public synchronized boolean learn(String id, ServiceRecord.ServedModel model) {
        Replica replica = replicas.get(id);
        if (replica == null || replica.record().serves(model.modelType()) && replica.record().serves(model.name())) {
            return false;
        }
        Set<String> types = new LinkedHashSet<>(replica.record().modelTypes());
        types.add(model.modelType());
        types.add(model.name());
        List<ServiceRecord.ServedModel> models = new ArrayList<>(replica.record().models());
        models.add(model);
        update(replica, List.copyOf(types), List.copyOf(models));
        LOG.infof("service %s now serves %s, from a training job it finished", id, model.modelType());
        return true;
    }

    /**
     * Takes a service's current models. They route at once even when the journal cannot take them
     * (a full or read-only disk): they are the service's to report, and its next heartbeat after a
     * restart of the manager reports them again.
     */
    private void update(Replica replica, List<String> types, List<ServiceRecord.ServedModel> models) {
        ServiceRecord before = replica.record();
        ServiceRecord updated = before.withModels(types, models);
        try {
            journal.put(updated, records(replica.id(), updated));
        } catch (StorageUnavailableException e) {
            LOG.warnf("service %s's models are routed but not journaled: %s", replica.id(), e.getMessage());
        }
        replica.record(updated);
        reindex(replica, before, replica);
    }

    public synchronized ServiceRecord remove(String id) {
        return remove(id, "removed");
    }

    private ServiceRecord remove(String id, String kind) {
        Replica removed = replicas.get(id);
        if (removed == null) {
            throw unknown(id);
        }
        try {
            journal.remove(id, records(id, null));
        } catch (StorageUnavailableException e) {
            if (!kind.equals("expired")) {
                throw e;
            }
            // An expired lease is removed all the same: after a restart the journal's stale copy
            // gets a new lease, which runs out again unless the service is back.
            LOG.warnf("expired service %s is removed but not journaled: %s", id, e.getMessage());
        }
        replicas.remove(id);
        reindex(removed, removed.record(), null);
        removals.fire(new ServiceRemoved(id));
        events.add(kind, id, null);
        LOG.infof("removed service %s", id);
        return removed.record();
    }

    /**
     * Removes the services whose lease ran out; returns their ids. Each lease is judged again under
     * the registry's lock as its service is removed, so a heartbeat that renewed it a moment ago,
     * while the sweep was looking at other services, keeps it.
     */
    public List<String> expire() {
        List<String> expired = new ArrayList<>();
        for (Replica replica : replicas.values()) {
            if (replica.expired(Instant.now()) && removeIfExpired(replica.id())) {
                LOG.warnf("service %s expired: no heartbeat within its lease", replica.id());
                expired.add(replica.id());
            }
        }
        return expired;
    }

    private synchronized boolean removeIfExpired(String id) {
        Replica replica = replicas.get(id);
        if (replica == null || !replica.expired(Instant.now())) {
            return false;
        }
        remove(id, "expired");
        return true;
    }

    public Replica require(String id) {
        Replica replica = replicas.get(id);
        if (replica == null) {
            throw unknown(id);
        }
        return replica;
    }

    public List<Replica> all() {
        return replicas.values().stream().sorted(BY_ID).toList();
    }

    /** Services that declare {@code type} (a model type or a model name), in a stable order. */
    public List<Replica> serving(String type) {
        // Types are kept in lower case; a name that is already so (nearly every one) is not copied.
        List<Replica> serving = byType.get(type);
        return serving != null ? serving : byType.getOrDefault(type.toLowerCase(Locale.ROOT), List.of());
    }

    public int size() {
        return replicas.size();
    }

    /**
     * Moves one service in the by-type index: out of the lists of the types {@code before} declared,
     * into those {@code now} declares. Only those types' lists are rebuilt, each swapped in whole, so
     * a change costs the size of its types, not of the registry, and routing never sees a half-done
     * list.
     */
    private void reindex(Replica old, ServiceRecord before, Replica now) {
        Set<String> oldKeys = before == null ? Set.of() : keys(before);
        Set<String> newKeys = now == null ? Set.of() : keys(now.record());
        Set<String> touched = new HashSet<>(oldKeys);
        touched.addAll(newKeys);
        for (String key : touched) {
            List<Replica> list = new ArrayList<>(byType.getOrDefault(key, List.of()));
            list.removeIf(r -> r == old || now != null && r.id().equals(now.id()));
            if (newKeys.contains(key)) {
                list.add(now);
                list.sort(BY_ID);
            }
            if (list.isEmpty()) {
                byType.remove(key);
            } else {
                byType.put(key, List.copyOf(list));
            }
        }
    }

    private static Set<String> keys(ServiceRecord record) {
        Set<String> keys = new LinkedHashSet<>();
        keys.add(record.modelType().toLowerCase(Locale.ROOT));
        record.modelTypes().forEach(t -> keys.add(t.toLowerCase(Locale.ROOT)));
        return keys;
    }

    /**
     * The services the journal would keep if it compacted now: {@code id} as {@code replacing} (or
     * gone when null). Its size is known at once; the list is built only when the journal compacts,
     * so that a registration does not copy the whole registry.
     */
    private Collection<ServiceRecord> records(String id, ServiceRecord replacing) {
        int size = replicas.size() + (replicas.containsKey(id) ? 0 : 1) - (replacing == null ? 1 : 0);
        return new AbstractCollection<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Iterator<ServiceRecord> iterator() {
                List<ServiceRecord> live = new ArrayList<>();
                replicas.values().stream().filter(r -> !r.id().equals(id)).forEach(r -> live.add(r.record()));
                if (replacing != null) {
                    live.add(replacing);
                }
                return live.iterator();
            }
        };
    }

    private Replica newReplica(ServiceRecord record) {
        return new Replica(record, new ReplicaHealth(config.health(), events.transitionsOf(record.serviceId())));
    }

    private static NotFoundException unknown(String id) {
        return new NotFoundException("no service '" + id + "' is registered");
    }
}
