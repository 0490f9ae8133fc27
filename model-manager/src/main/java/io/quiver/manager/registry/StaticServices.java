package io.quiver.manager.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quiver.common.error.ApiException;
import io.quiver.common.json.JsonBodies;
import io.quiver.manager.config.ManagerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Loads the services file of reference document 003, {@code {"services": {"id": {...}}}}, at
 * start and again whenever it changes (checked every discovery interval), and sweeps expired leases
 * every second. Both run on the scheduler, one run at a time: a run that throws is logged and the
 * next one still comes.
 */
@ApplicationScoped
public class StaticServices {
    private static final Logger LOG = Logger.getLogger(StaticServices.class);

    private final ServiceRegistry registry;
    private final Optional<Path> file;
    private FileTime loaded;

    StaticServices(ServiceRegistry registry, ManagerConfig config) {
        this.registry = registry;
        this.file = config.registry().servicesFile();
    }

    void onStart(@Observes StartupEvent event) {
        load();
    }

    @Scheduled(identity = "services-file", every = "${quiver.manager.registry.discovery-interval}",
            delayed = "${quiver.manager.registry.discovery-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reload() {
        load();
    }

    @Scheduled(identity = "lease-expiry", every = "1s", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expireLeases() {
        registry.expire();
    }

    synchronized void load() {
        if (file.isEmpty()) {
            return;
        }
        Path path = file.get();
        try {
            FileTime modified = Files.getLastModifiedTime(path);
            if (modified.equals(loaded)) {
                return;
            }
            JsonNode services = JsonBodies.object(Files.readAllBytes(path)).path("services");
            if (!services.isObject()) {
                LOG.errorf("%s has no \"services\" object; nothing loaded from it", path);
                return;
            }
            int count = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                try {
                    registry.register(RegistrationParser.parse(entry.getKey(), entry.getValue()));
                    count++;
                } catch (ApiException e) {
                    LOG.errorf("service '%s' in %s is invalid: %s", entry.getKey(), path, e.getMessage());
                }
            }
            loaded = modified;
            LOG.infof("loaded %d services from %s", count, path);
        } catch (IOException | ApiException e) {
            LOG.errorf("cannot read the services file %s: %s", path, e.getMessage());
        }
    }
}
