package io.quiver.manager.registry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.manager.testing.SmallDiskDataDir;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The manager's data directory fills up or turns read-only under it (a 512 KiB tmpfs the test
 * fills or remounts): registrations and other changes are refused with a 503 saying why, nothing
 * acknowledged is lost, already registered services keep being routed to, heartbeats keep leases
 * alive, and once the disk takes writes again so does the manager, with a journal that replays.
 */
@QuarkusTest
@WithTestResource(SmallDiskDataDir.class)
class FullOrReadOnlyDataDirTest {
    private HttpServer service;
    private String serviceUrl;

    @BeforeEach
    void startAService() throws IOException {
        Assumptions.assumeTrue(SmallDiskDataDir.disk().mounted(), "mounting a tmpfs needs root");
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        service.createContext("/", exchange -> {
            byte[] answer = "{\"prediction\": [1.5]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        service.start();
        serviceUrl = "http://127.0.0.1:" + service.getAddress().getPort();
    }

    @AfterEach
    void restoreTheDisk() throws IOException {
        if (service != null) {
            service.stop(0);
        }
        if (SmallDiskDataDir.disk().mounted()) {
            SmallDiskDataDir.disk().readOnly(false);
            SmallDiskDataDir.disk().empty();
        }
    }

    @Test
    void aFullDiskRefusesChangesAndLosesNothing() throws IOException {
        register("before_full", "disk_full_type").then().statusCode(201);
        SmallDiskDataDir.disk().fill(0);

        // The journal's last page may still hold a line or two: register until the disk refuses.
        Map<String, String> acknowledged = new TreeMap<>(Map.of("before_full", serviceUrl));
        String refused = null;
        for (int i = 0; i < 200 && refused == null; i++) {
            io.restassured.response.Response answer = register("while_full_" + i, "disk_full_type");
            if (answer.statusCode() == 201) {
                acknowledged.put("while_full_" + i, serviceUrl);
            } else {
                answer.then().statusCode(503).header("Retry-After", notNullValue())
                        .body("error", containsString("No space left on device"))
                        .body("error", containsString("nothing was changed"));
                refused = "while_full_" + i;
            }
        }
        assertNotNull(refused, "200 registrations fitted in a full disk's last page");
        given().get("/services/" + refused).then().statusCode(404);
        given().contentType(ContentType.JSON).body("{\"variants\": [{\"name\": \"a\", \"model_type\": \"disk_full_type\", "
                + "\"weight\": 100}]}").put("/experiments/while_full").then().statusCode(503)
                .body("error", containsString("experiments store"));

        // What was registered before goes on: routed to, and its lease renewed with new models.
        given().contentType(ContentType.JSON).body("{\"model_type\": \"disk_full_type\", \"data\": [1, 2]}")
                .post("/predict").then().statusCode(200).body("prediction[0]", equalTo(1.5f));
        given().contentType(ContentType.JSON).body("{\"model_types\": [\"disk_full_type\", \"new_model\"]}")
                .put("/services/before_full/heartbeat").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"model_type\": \"new_model\", \"data\": [1, 2]}")
                .post("/predict").then().statusCode(200);

        SmallDiskDataDir.disk().empty();
        register(refused, "disk_full_type").then().statusCode(201);
        acknowledged.put(refused, serviceUrl);
        assertEquals(acknowledged, journaled(acknowledged.keySet().toArray(String[]::new)));
    }

    @Test
    void aReadOnlyDiskRefusesChangesUntilItIsWritableAgain() throws IOException {
        register("before_read_only", "read_only_type").then().statusCode(201);
        SmallDiskDataDir.disk().readOnly(true);

        register("while_read_only", "read_only_type").then().statusCode(503)
                .body("error", containsString("Read-only file system"));
        given().delete("/services/before_read_only").then().statusCode(503);
        given().contentType(ContentType.JSON).body("{\"model_type\": \"read_only_type\", \"data\": [1]}")
                .post("/predict").then().statusCode(200);

        SmallDiskDataDir.disk().readOnly(false);
        register("while_read_only", "read_only_type").then().statusCode(201);
        assertEquals(Map.of("before_read_only", serviceUrl, "while_read_only", serviceUrl),
                journaled("before_read_only", "while_read_only"));
    }

    private io.restassured.response.Response register(String id, String type) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("service_id", id, "service_url", serviceUrl, "model_type", type))
                .post("/services/register");
    }

    /** What a manager restarted now would read back from the journal for these ids: each one's URL. */
    private static Map<String, String> journaled(String... ids) {
        Map<String, ServiceRecord> replayed = new TreeMap<>();
        RegistryJournal.open(SmallDiskDataDir.dataDir(), replayed).close();
        Map<String, String> urls = new TreeMap<>();
        for (String id : ids) {
            if (replayed.containsKey(id)) {
                urls.put(id, replayed.get(id).serviceUrl());
            }
        }
        return urls;
    }
}
