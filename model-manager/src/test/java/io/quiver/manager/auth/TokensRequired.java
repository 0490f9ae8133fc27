package io.quiver.manager.auth;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.HexFormat;
import java.util.Map;

/** The manager as production runs it: a control token and a data token, configured by their hashes. */
public class TokensRequired implements QuarkusTestProfile {
    static final String CONTROL = "control-token-for-tests";
    static final String DATA = "data-token-for-tests";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quiver.manager.auth.enabled", "true",
                "quiver.manager.auth.control-tokens", "sha256:" + hash(CONTROL),
                "quiver.manager.auth.data-tokens", hash(DATA));
    }

    static String hash(String token) {
        return HexFormat.of().formatHex(AccessTokens.sha256(token));
    }
}
