package io.quiver.manager.auth;

import io.quiver.common.error.ForbiddenException;
import io.quiver.common.error.UnauthorizedException;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Checks the bearer token of every API call before it is matched to a resource, so an unknown path
 * tells an anonymous caller nothing. The control API (registry, training, experiments, deployments, retiring versions)
 * needs a control token; everything else (predictions, the V2 proxy, /api/v1) a data or control
 * token. The health endpoints and /q/metrics are not API resources and stay open for probes.
 */
public class AccessFilter {
    static final String CHALLENGE = "Bearer realm=\"quiver\"";
    private static final List<String> CONTROL_PATHS = List.of("/services", "/train", "/experiments", "/deployments", "/models");

    private final AccessTokens tokens;

    AccessFilter(AccessTokens tokens) {
        this.tokens = tokens;
    }

    @ServerRequestFilter(preMatching = true)
    public void check(ContainerRequestContext request) {
        if (!tokens.enabled()) {
            return;
        }
        String path = request.getUriInfo().getRequestUri().getRawPath();
        Role needed = needs(canonical(path));
        String header = request.getHeaderString("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() == 7) {
            throw new UnauthorizedException("a token is required: send Authorization: Bearer <token>", CHALLENGE);
        }
        Optional<Role> role = tokens.roleOf(header.substring(7).trim());
        if (role.isEmpty()) {
            throw new UnauthorizedException("the bearer token is not one the manager knows",
                    CHALLENGE + ", error=\"invalid_token\"");
        }
        if (!role.get().covers(needed)) {
            throw new ForbiddenException(request.getMethod() + " " + path + " is part of the control API; "
                    + "this token may send model traffic only");
        }
    }

    /**
     * The path as the resources will be matched against it, or stricter: decoded, without matrix
     * parameters, empty or dot segments, in lower case. Without this, {@code //services/register}
     * or {@code /%73ervices/register} would pass for model traffic and still reach the registry.
     */
    static String canonical(String rawPath) {
        Deque<String> segments = new ArrayDeque<>();
        for (String raw : rawPath.split("/")) {
            String segment = raw.contains(";") ? raw.substring(0, raw.indexOf(';')) : raw;
            try {
                segment = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                // Malformed escapes: the resources will refuse the request; judge it as written.
            }
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                segments.pollLast();
                continue;
            }
            segments.addLast(segment.toLowerCase(Locale.ROOT));
        }
        return "/" + String.join("/", segments);
    }

    static Role needs(String path) {
        for (String prefix : CONTROL_PATHS) {
            if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                return Role.CONTROL;
            }
        }
        return Role.DATA;
    }
}
