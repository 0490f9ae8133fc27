package io.quiver.manager.auth;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/** The configured token hashes and the role each grants; checked at start so a bad setting stops the manager. */
@Startup
@ApplicationScoped
public class AccessTokens {
    private static final Logger LOG = Logger.getLogger(AccessTokens.class);
    // One digest per event-loop thread: looking the algorithm up per request cost more than hashing.
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private record Grant(byte[] hash, Role role) {
    }

    private final boolean enabled;
    /** Replaced whole when a temporary grant comes or goes, so that a check reads one list. */
    private volatile List<Grant> grants;

    AccessTokens(AuthConfig config) {
        this.enabled = config.enabled();
        List<Grant> all = new ArrayList<>();
        List<String> control = config.controlTokens().orElse(List.of());
        List<String> data = config.dataTokens().orElse(List.of());
        for (int i = 0; i < control.size(); i++) {
            all.add(new Grant(parse(control.get(i), "control-tokens", i), Role.CONTROL));
        }
        for (int i = 0; i < data.size(); i++) {
            all.add(new Grant(parse(data.get(i), "data-tokens", i), Role.DATA));
        }
        this.grants = List.copyOf(all);
        if (enabled && grants.isEmpty()) {
            throw new IllegalStateException("the manager's API needs tokens and none are set: set "
                    + "QUIVER_MANAGER_AUTH_CONTROL_TOKENS (and QUIVER_MANAGER_AUTH_DATA_TOKENS) to the SHA-256 of each "
                    + "token, e.g. $(printf %s \"$TOKEN\" | sha256sum | cut -d' ' -f1), or set "
                    + "QUIVER_MANAGER_AUTH_ENABLED=false to run without (only behind a gateway that checks)");
        }
        if (!enabled) {
            LOG.warn("the manager's API is open to anyone who can reach it (quiver.manager.auth.enabled=false)");
        }
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * Lets {@code token} in with {@code role} until the returned grant is closed: for requests
     * the manager sends itself, which must pass the same check as a client's. The token should be
     * random and never leave the process.
     */
    public synchronized TemporaryGrant grantTemporarily(String token, Role role) {
        Grant grant = new Grant(sha256(token), role);
        List<Grant> more = new ArrayList<>(grants);
        more.add(grant);
        grants = List.copyOf(more);
        return () -> revoke(grant);
    }

    private synchronized void revoke(Grant grant) {
        List<Grant> fewer = new ArrayList<>(grants);
        fewer.removeIf(g -> g == grant);
        grants = List.copyOf(fewer);
    }

    /** A grant of {@link #grantTemporarily}; closing it ends it. */
    public interface TemporaryGrant extends AutoCloseable {
        @Override
        void close();
    }

    /** The role of the token, compared with every configured hash in constant time. */
    public Optional<Role> roleOf(String token) {
        byte[] hash = sha256(token);
        Role best = null;
        for (Grant grant : grants) {
            if (MessageDigest.isEqual(hash, grant.hash()) && (best == null || grant.role().covers(best))) {
                best = grant.role();
            }
        }
        return Optional.ofNullable(best);
    }

    private static byte[] parse(String configured, String setting, int index) {
        String hex = configured.trim().toLowerCase(Locale.ROOT);
        if (hex.startsWith("sha256:")) {
            hex = hex.substring("sha256:".length());
        }
        if (!hex.matches("[0-9a-f]{64}")) {
            // Not repeated in the message: it may be a token pasted where its hash belongs.
            throw new IllegalArgumentException("quiver.manager.auth." + setting + ": entry " + (index + 1)
                    + " is not a SHA-256 hash (64 hex digits); configure the hash of each token, never the token");
        }
        return HexFormat.of().parseHex(hex);
    }

    static byte[] sha256(String token) {
        return SHA_256.get().digest(token.getBytes(StandardCharsets.UTF_8));
    }
}
