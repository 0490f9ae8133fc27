package io.quiver.server.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.server.config.GrpcPort;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The service id and URL the server registers under, by default and when configured. */
class RegistrationIdentityTest {

    @Test
    void byDefaultTheHostNameAndTheListeningPortNameTheService() {
        ServiceIdentity identity = ServiceIdentity.of(Settings.defaults(), 41234, "node7", "node7.cluster.local");
        assertEquals("model-server-node7-41234", identity.serviceId());
        assertEquals("http://node7.cluster.local:41234", identity.serviceUrl());
        assertTrue(ServiceIdentity.needsPort(Settings.defaults()));
    }

    @Test
    void configuredValuesAreUsedAsGivenWithoutATrailingSlash() {
        Settings settings = Settings.defaults().withServiceId("models-eu-1").withAdvertisedUrl("http://127.0.0.1:9000/");
        ServiceIdentity identity = ServiceIdentity.of(settings, 0, "ignored", "ignored");
        assertEquals("models-eu-1", identity.serviceId());
        assertEquals("http://127.0.0.1:9000", identity.serviceUrl());
        assertFalse(ServiceIdentity.needsPort(settings));
    }

    @Test
    void aConfiguredUrlAloneStillNeedsThePortForTheDefaultId() {
        Settings settings = Settings.defaults().withAdvertisedUrl("http://models.example:80");
        assertTrue(ServiceIdentity.needsPort(settings));
        assertEquals("model-server-h-8080", ServiceIdentity.of(settings, 8080, "h", "ignored").serviceId());
    }

    @Test
    void anIpv6AddressIsBracketedInTheUrl() {
        assertEquals("http://[fe80:0:0:0:1:2:3:4%eth0]:8080",
                ServiceIdentity.of(Settings.defaults(), 8080, "h", "fe80:0:0:0:1:2:3:4%eth0").serviceUrl());
    }

    @Test
    void byDefaultGrpcIsAdvertisedAtPort8081OfTheServiceUrlsHost() {
        ServiceIdentity identity = ServiceIdentity.of(Settings.defaults(), 8080, "h", "node7.cluster.local")
                .withGrpcPort(GrpcPort.ownPort(GrpcPort.DEFAULT));
        assertEquals("http://node7.cluster.local:8080", identity.serviceUrl());
        assertEquals("http://node7.cluster.local:8081", identity.grpcUrl());
        assertEquals("http://node7.cluster.local:8080", ServiceIdentity.of(Settings.defaults(), 8080, "h",
                "node7.cluster.local").withGrpcPort(GrpcPort.ownPort(GrpcPort.HTTP)).grpcUrl());
    }

    @Test
    void gRpcIsAdvertisedAtTheServiceUrlUnlessItHasAPortOfItsOwn() {
        ServiceIdentity identity = ServiceIdentity.of(Settings.defaults(), 8080, "h", "node7.cluster.local");
        assertEquals("http://node7.cluster.local:8080", identity.withGrpcPort(OptionalInt.empty()).grpcUrl());
        assertEquals("http://node7.cluster.local:9000", identity.withGrpcPort(OptionalInt.of(9000)).grpcUrl());
        Settings proxied = Settings.defaults().withAdvertisedUrl("https://user@models.example:8443/eu/");
        assertEquals("http://models.example:9000",
                ServiceIdentity.of(proxied, 8080, "h", "ignored").withGrpcPort(OptionalInt.of(9000)).grpcUrl());
        assertEquals("http://[fe80:0:0:0:1:2:3:4%eth0]:9000", ServiceIdentity.of(Settings.defaults(), 8080, "h",
                "fe80:0:0:0:1:2:3:4%eth0").withGrpcPort(OptionalInt.of(9000)).grpcUrl());
    }
}
