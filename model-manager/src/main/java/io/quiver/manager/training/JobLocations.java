package io.quiver.manager.training;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which service runs each training job the manager submitted, for the most recent jobs. It is a
 * cache, not a record: after a manager restart, or for an old job, the trainers are asked instead.
 */
@ApplicationScoped
public class JobLocations {
    private static final int REMEMBERED = 10_000;

    private final Map<String, String> services = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    };

    public synchronized void remember(String jobId, String serviceId) {
        services.put(jobId, serviceId);
    }

    public synchronized Optional<String> serviceOf(String jobId) {
        return Optional.ofNullable(services.get(jobId));
    }
}
