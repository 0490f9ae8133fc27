package io.quiver.manager.training;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.manager.registry.Replica;
import io.quiver.manager.registry.ServiceRecord;
import io.quiver.manager.registry.ServiceRegistry;
import io.quiver.manager.testing.TempDataDir;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When a trainer cannot say whether it runs a job (it hangs, or drops the connection), the client
 * is told which trainer failed and how, not that no trainer knows the job. A stub stands in for
 * the trainer: a real model-server cannot be made to hang or drop a status request on cue.
 */
@QuarkusTest
@WithTestResource(TempDataDir.class)
class TrainerFailuresTest {
    @Inject
    ServiceRegistry registry;

    private HttpServer trainer;
    private List<ServiceRecord> others;
    private final CountDownLatch released = new CountDownLatch(1);

    @BeforeEach
    void startTrainer() throws IOException {
        trainer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        trainer.setExecutor(Executors.newCachedThreadPool());
        trainer.createContext("/train/hung-job", exchange -> {
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        // Closing the exchange before any answer drops the connection.
        trainer.createContext("/train/dropped-job", exchange -> exchange.close());
        trainer.start();
        // The services file's trainers (at a closed port) stand aside for this test.
        others = registry.all().stream().map(Replica::record).toList();
        others.forEach(r -> registry.remove(r.serviceId()));
        registry.register(new ServiceRecord("flaky-trainer", "http://127.0.0.1:" + trainer.getAddress().getPort(),
                "flaky", List.of(), List.of("training"), List.of(), null, 0.3, null, null, Instant.now()));
    }

    @AfterEach
    void stopTrainer() {
        released.countDown();
        registry.remove("flaky-trainer");
        others.forEach(registry::register);
        trainer.stop(0);
    }

    @Test
    void aTrainerThatDoesNotAnswerInTimeIs504NamingIt() {
        given().get("/train/hung-job").then().statusCode(504)
                .body("error", allOf(containsString("flaky-trainer"), containsString("did not answer in time")));
    }

    @Test
    void aTrainerThatDropsTheConnectionIs502NamingIt() {
        given().get("/train/dropped-job").then().statusCode(502)
                .body("error", containsString("flaky-trainer"));
    }
}
