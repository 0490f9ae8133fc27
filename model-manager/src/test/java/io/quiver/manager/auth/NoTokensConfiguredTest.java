package io.quiver.manager.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What production does with missing or wrong token settings: refuse to start, saying which setting to fix. */
class NoTokensConfiguredTest {

    @Test
    void withAuthOnAndNoTokensTheManagerDoesNotStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new AccessTokens(config(true, null, null)));
        assertTrue(e.getMessage().contains("QUIVER_MANAGER_AUTH_CONTROL_TOKENS"), e.getMessage());
        assertTrue(e.getMessage().contains("QUIVER_MANAGER_AUTH_ENABLED=false"), e.getMessage());
    }

    @Test
    void aTokenConfiguredInsteadOfItsHashIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AccessTokens(config(true, List.of("my-plain-secret-token"), null)));
        assertTrue(e.getMessage().contains("quiver.manager.auth.control-tokens"), e.getMessage());
        assertTrue(!e.getMessage().contains("my-plain-secret-token"), "the message must not repeat the secret: " + e.getMessage());
    }

    @Test
    void switchedOffExplicitlyItRunsWithoutTokens() {
        assertEquals(false, new AccessTokens(config(false, null, null)).enabled());
    }

    @Test
    void aControlTokenOutranksADataTokenWithTheSameHash() {
        String hash = TokensRequired.hash("shared");
        AccessTokens tokens = new AccessTokens(config(true, List.of(hash), List.of(hash)));
        assertEquals(Optional.of(Role.CONTROL), tokens.roleOf("shared"));
        assertEquals(Optional.empty(), tokens.roleOf("other"));
    }

    private static AuthConfig config(boolean enabled, List<String> control, List<String> data) {
        return new AuthConfig() {
            @Override
            public boolean enabled() {
                return enabled;
            }

            @Override
            public Optional<List<String>> controlTokens() {
                return Optional.ofNullable(control);
            }

            @Override
            public Optional<List<String>> dataTokens() {
                return Optional.ofNullable(data);
            }
        };
    }
}
