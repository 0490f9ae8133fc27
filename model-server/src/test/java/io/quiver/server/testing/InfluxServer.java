package io.quiver.server.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quiver.examples.InfluxdProcess;
import java.util.Map;

/**
 * A real InfluxDB 1.x ({@link InfluxdProcess}) for the test class, with authentication on and
 * database {@value #DATABASE}, and the server configured to query it with its administrator's
 * credentials.
 */
public class InfluxServer implements QuarkusTestResourceLifecycleManager {
    public static final String DATABASE = "training";
    public static final String USER = "quiver";
    public static final String PASSWORD = "influx-secret-7c1e";
    private static InfluxdProcess server;

    @Override
    public Map<String, String> start() {
        server = new InfluxdProcess(USER, PASSWORD);
        server.createDatabase(DATABASE);
        return Map.of("quiver.training.influxdb.url", server.url(),
                "quiver.training.influxdb.username", USER,
                "quiver.training.influxdb.password", PASSWORD);
    }

    @Override
    public void stop() {
        server.close();
    }

    public static InfluxdProcess server() {
        return server;
    }
}
