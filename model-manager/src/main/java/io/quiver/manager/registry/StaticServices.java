package io.quiver.manager.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quiver.common.error.ApiException;
import io.quiver.common.error.BadRequestException;
import io.quiver.common.json.JsonBodies;
import io.quiver.common.json.WireErrors;
import io.quiver.manager.config.ManagerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Iterator;
import java.util.Map;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
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

    private final ObjectMapper json;
    private final Validator validator;

    StaticServices(ServiceRegistry registry, ManagerConfig config, ObjectMapper json, Validator validator) {
        this.registry = registry;
        this.file = config.registry().servicesFile();
        this.json = json;
        this.validator = validator;
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
                    registry.register(registration(entry.getKey(), entry.getValue()).toRecord(Instant.now()));
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

    /**
     * An entry of the file, read and checked as the API reads a registration, so that both say the
     * same of the same mistake. The entry's key is its id.
     */
    private Registration registration(String id, JsonNode entry) {
        if (!entry.isObject()) {
            throw new BadRequestException("a registration must be a JSON object, got " + JsonBodies.kind(entry));
        }
        ObjectNode withId = ((ObjectNode) entry).deepCopy().put("service_id", id);
        Registration registration;
        try {
            registration = json.treeToValue(withId, Registration.class);
        } catch (JsonProcessingException e) {
            throw new BadRequestException(WireErrors.describe(e));
        }
        Set<ConstraintViolation<Registration>> violations = validator.validate(registration);
        if (!violations.isEmpty()) {
            throw new BadRequestException(WireErrors.describe(new ConstraintViolationException(violations)));
        }
        return registration.fromOutsideDiscovery();
    }
}
