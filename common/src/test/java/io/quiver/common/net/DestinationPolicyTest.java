package io.quiver.common.net;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.common.error.ApiException;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Only literal addresses and localhost: these checks must not depend on the network's DNS. */
class DestinationPolicyTest {
    private static final List<String> DEFAULT_DENIED = Arrays.asList(DestinationPolicy.DEFAULT_DENIED.split(","));
    private static final DestinationPolicy DEFAULTS = new DestinationPolicy(List.of(), DEFAULT_DENIED, "the settings");

    @ParameterizedTest
    @ValueSource(strings = {"http://169.254.169.254/latest/meta-data/", "http://169.254.10.1:8080",
            "http://[fe80::1]:8080", "http://[fd00:ec2::254]/", "http://[::ffff:169.254.169.254]/",
            "http://0.0.0.0:8080", "http://metadata.google.internal/computeMetadata/v1/",
            "http://METADATA.google.internal./", "http://100.100.100.200/"})
    void linkLocalAndMetadataAddressesAreRefusedByDefault(String url) {
        ApiException refused = assertThrows(ApiException.class, () -> DEFAULTS.check("service_url", URI.create(url)));
        assertEquals(403, refused.status());
        assertTrue(refused.getMessage().contains("the settings"), refused.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080",
            "http://10.1.2.3:8080", "http://192.168.0.7/"})
    void loopbackAndPrivateAddressesAreAllowedByDefault(String url) {
        assertDoesNotThrow(() -> DEFAULTS.check("service_url", URI.create(url)));
    }

    @Test
    void loopbackCanBeDenied() {
        DestinationPolicy policy = new DestinationPolicy(List.of(), List.of("127.0.0.0/8", "::1/128"), "s");
        for (String url : List.of("http://127.0.0.1:1", "http://127.9.9.9:1", "http://[::1]:1", "http://localhost:1")) {
            ApiException refused = assertThrows(ApiException.class, () -> policy.check("u", URI.create(url)), url);
            assertEquals(403, refused.status());
        }
    }

    @Test
    void anAllowListAdmitsOnlyItsBlocksAndNames() {
        DestinationPolicy policy = new DestinationPolicy(List.of("10.0.0.0/8", "fd00::/8", "localhost"), DEFAULT_DENIED, "s");
        assertDoesNotThrow(() -> policy.check("u", URI.create("http://10.200.0.1:8080")));
        assertDoesNotThrow(() -> policy.check("u", URI.create("http://[fd12::1]:8080")));
        assertDoesNotThrow(() -> policy.check("u", URI.create("http://localhost:8080")));
        ApiException refused = assertThrows(ApiException.class, () -> policy.check("u", URI.create("http://192.168.1.1")));
        assertTrue(refused.getMessage().contains("not on the allow-list"), refused.getMessage());
        assertThrows(ApiException.class, () -> policy.check("u", URI.create("http://127.0.0.1:8080")));
    }

    @Test
    void theDenyListWinsOverTheAllowList() {
        DestinationPolicy policy = new DestinationPolicy(List.of("169.254.0.0/16"), DEFAULT_DENIED, "s");
        assertThrows(ApiException.class, () -> policy.check("u", URI.create("http://169.254.169.254/")));
    }

    @Test
    void aPrefixNeedNotBeWholeBytes() {
        DestinationPolicy policy = new DestinationPolicy(List.of(), List.of("10.64.0.0/10"), "s");
        assertThrows(ApiException.class, () -> policy.check("u", URI.create("http://10.127.255.255/")));
        assertDoesNotThrow(() -> policy.check("u", URI.create("http://10.128.0.1/")));
        assertDoesNotThrow(() -> policy.check("u", URI.create("http://10.63.255.255/")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0.0/x", "fe80::/129", "bad name", "host/8"})
    void aMalformedEntryIsRefusedWhenTheSettingIsRead(String entry) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DestinationPolicy(List.of(entry), List.of(), "quiver.x.allowed-hosts"));
        assertTrue(e.getMessage().startsWith("quiver.x.allowed-hosts"), e.getMessage());
    }
}
