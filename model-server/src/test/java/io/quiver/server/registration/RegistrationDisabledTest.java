package io.quiver.server.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.quiver.server.config.ServerConfig;
import java.lang.reflect.Proxy;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Without {@code quiver.manager.url} the server does not register and starts no thread for it. A
 * unit test, because in a running application the absence of calls to a manager cannot be observed.
 */
class RegistrationDisabledTest {

    @Test
    void withoutAManagerUrlNoThreadStartsAndShutdownHasNothingToDo() {
        // Nothing but the manager URL may be read: registry, loading and HTTP server are not there.
        SelfRegistration registration = new SelfRegistration(configWithoutManager(), null, null, null);
        Set<Thread> before = Thread.getAllStackTraces().keySet();

        registration.start();

        Set<String> started = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t))
                .map(Thread::getName)
                .filter(name -> name.equals(SelfRegistration.THREAD_NAME) || name.startsWith("HttpClient"))
                .collect(Collectors.toSet());
        assertEquals(Set.of(), started);
        assertFalse(registration.running());
        registration.stop();
    }

    /** The server's settings with only the manager group answering, and no manager URL in it. */
    private static ServerConfig configWithoutManager() {
        ServerConfig.Manager manager = (ServerConfig.Manager) Proxy.newProxyInstance(
                ServerConfig.Manager.class.getClassLoader(), new Class<?>[] {ServerConfig.Manager.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("url")) {
                        return Optional.empty();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        return (ServerConfig) Proxy.newProxyInstance(ServerConfig.class.getClassLoader(),
                new Class<?>[] {ServerConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("manager")) {
                        return manager;
                    }
                    throw new UnsupportedOperationException("registration read quiver." + method.getName()
                            + " although no manager is configured");
                });
    }
}
