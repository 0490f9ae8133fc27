package io.quiver.manager.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/**
 * Who may call the manager: bearer tokens, configured by the SHA-256 of each, since the tokens
 * themselves are random secrets that need no slow hash. docs/security.md explains the two roles.
 */
@ConfigMapping(prefix = "quiver.manager.auth")
public interface AuthConfig {
    /**
     * Whether calls need a token. On by default; with no tokens set the manager refuses to start,
     * so a deployment never runs open by accident. Set false only behind something that checks.
     */
    @WithDefault("true")
    boolean enabled();

    /** SHA-256 hashes (64 hex digits, optionally {@code sha256:} first) of tokens for the control API and model traffic. */
    Optional<List<String>> controlTokens();

    /** SHA-256 hashes of tokens for model traffic only (predictions, the V2 proxy, /api/v1). */
    Optional<List<String>> dataTokens();
}
