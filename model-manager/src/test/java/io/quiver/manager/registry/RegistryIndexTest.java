package io.quiver.manager.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.manager.testing.TempDataDir;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Routing's by-type index follows every change: new types, changed types, reported models, removal. */
@QuarkusTest
@WithTestResource(TempDataDir.class)
class RegistryIndexTest {
    @Inject
    ServiceRegistry registry;

    @Test
    void aServiceMovesBetweenTypesAsItsRegistrationChanges() {
        registry.register(record("index-a", "http://127.0.0.1:9", "Index_Alpha", List.of()));
        registry.register(record("index-b", "http://127.0.0.1:9", "index_alpha", List.of("index_gamma")));
        assertEquals(List.of("index-a", "index-b"), ids("INDEX_ALPHA"), "types match whatever their case");
        assertEquals(List.of("index-b"), ids("index_gamma"));

        registry.register(record("index-a", "http://127.0.0.1:9", "index_beta", List.of()));
        assertEquals(List.of("index-b"), ids("index_alpha"), "re-registered under another type, it left the old one");
        assertEquals(List.of("index-a"), ids("index_beta"));

        registry.register(record("index-a", "http://127.0.0.1:10", "index_beta", List.of()));
        assertEquals(List.of("index-a"), ids("index_beta"), "a new URL replaces the service, it is not listed twice");
        assertEquals("http://127.0.0.1:10", registry.serving("index_beta").get(0).record().serviceUrl());

        // What Heartbeat.types makes of a heartbeat: the types, and the models' names among them.
        registry.heartbeat("index-b", List.of("index_delta", "index_model"),
                List.of(new ServiceRecord.ServedModel("index_model", "1", "index_delta")));
        assertEquals(List.of("index-b"), ids("index_model"), "a reported model is routable by name");
        assertEquals(List.of("index-b"), ids("index_delta"));
        assertEquals(List.of("index-b"), ids("index_alpha"), "its registered model_type still is");
        assertEquals(List.of(), ids("index_gamma"), "a type it no longer reports is not");

        registry.remove("index-a");
        registry.remove("index-b");
        assertEquals(List.of(), ids("index_beta"));
        assertEquals(List.of(), ids("index_alpha"));
        assertEquals(List.of(), ids("index_model"));
    }

    private List<String> ids(String type) {
        return registry.serving(type).stream().map(Replica::id).toList();
    }

    private static ServiceRecord record(String id, String url, String type, List<String> types) {
        return new ServiceRecord(id, url, type, types, List.of("prediction"), List.of(), null, null, null, null,
                Instant.now());
    }
}
