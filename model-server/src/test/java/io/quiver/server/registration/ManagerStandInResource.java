package io.quiver.server.registration;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts a {@link ManagerStandIn} before the application, so that the server under test finds a
 * manager to register with from its first attempt, and points {@code quiver.manager.url} at it. The
 * stand-in refuses the first two registrations with 503, as a manager still starting would.
 */
public class ManagerStandInResource implements QuarkusTestResourceLifecycleManager {
    static final int REFUSED_REGISTRATIONS = 2;
    private static ManagerStandIn manager;

    @Override
    public Map<String, String> start() {
        manager = new ManagerStandIn();
        manager.refuseRegistrations(REFUSED_REGISTRATIONS);
        return Map.of("quiver.manager.url", manager.url());
    }

    @Override
    public void stop() {
        if (manager != null) {
            manager.close();
        }
    }

    static ManagerStandIn manager() {
        return manager;
    }
}
