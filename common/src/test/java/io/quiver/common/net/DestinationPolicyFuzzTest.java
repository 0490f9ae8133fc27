package io.quiver.common.net;

import static io.quiver.common.fuzz.ClientFaults.LONGEST_RUN;
import static io.quiver.common.fuzz.ClientFaults.refusedOrDecoded;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A URL a client gives (a service_url, a model or data URL) is allowed or refused with a 400 or
 * 403, whatever its host looks like. Names resolve only through the test hosts file
 * ({@code src/test/resources/fuzz-hosts}, set as {@code jdk.net.hosts.file} by the pom), so no input
 * reaches the network's DNS.
 */
class DestinationPolicyFuzzTest {
    private static final DestinationPolicy DEFAULTS = new DestinationPolicy(List.of(),
            Arrays.asList(DestinationPolicy.DEFAULT_DENIED.split(",")), "the settings");
    private static final DestinationPolicy ALLOW_LIST = new DestinationPolicy(
            List.of("10.0.0.0/8", "fd00::/8", ".example.com", "localhost"),
            Arrays.asList(DestinationPolicy.DEFAULT_DENIED.split(",")), "the settings");

    /** The input is the URL's text; text that is no URI is refused by each caller before the policy. */
    @FuzzTest(maxDuration = LONGEST_RUN)
    void urlIsAllowedOrRefused(byte[] input) {
        URI uri;
        try {
            uri = new URI(new String(input, StandardCharsets.UTF_8));
        } catch (URISyntaxException e) {
            return;
        }
        refusedOrDecoded(() -> DEFAULTS.check("service_url", uri));
        refusedOrDecoded(() -> ALLOW_LIST.check("service_url", uri));
    }
}
