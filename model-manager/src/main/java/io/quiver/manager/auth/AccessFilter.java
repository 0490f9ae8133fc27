package io.quiver.manager.auth;

import io.quiver.common.error.ApiException;
import io.quiver.common.error.ErrorReplies;
import io.quiver.common.error.ForbiddenException;
import io.quiver.common.error.RequestIds;
import io.quiver.common.error.UnauthorizedException;
import io.quiver.manager.routing.ForwardingRoutes;
import io.quiver.manager.routing.GrpcAnswers;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks the bearer token of every API call before any route sees it, the forwarding routes of
 * the data path as much as the JAX-RS resources, so an unknown path tells an anonymous caller
 * nothing. The control API (registry, training, experiments, deployments, retiring versions)
 * needs a control token; everything else (predictions, the V2 proxy, /api/v1) a data or control
 * token. The health endpoints and /q/metrics are not API resources and stay open for probes; the
 * OpenAPI document and Swagger UI describe the API and hold no data, so they are open too.
 */
@Singleton
public class AccessFilter {
    /** After the request gate has given the request its id, before every route. */
    private static final int ORDER = -900;
    static final String CHALLENGE = "Bearer realm=\"quiver\"";
    private static final List<String> CONTROL_PATHS = List.of("/services", "/train", "/experiments", "/deployments", "/models",
            // Reference document 000's deployment API; its /{model}-{version}/... forwarding is model traffic.
            "/deploy", "/undeploy", "/get_model_list", "/get_model_version_list", "/get_deployed_models",
            // The dashboard's data; the page's own files are open (see open()).
            "/dashboard/api");

    private final AccessTokens tokens;

    AccessFilter(AccessTokens tokens) {
        this.tokens = tokens;
    }

    void install(@Observes Router router) {
        if (!tokens.enabled()) {
            return;
        }
        router.route().order(ORDER).handler(ctx -> {
            try {
                check(ctx.request());
                ctx.next();
            } catch (ApiException e) {
                if (GrpcAnswers.isGrpc(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
                    // A gRPC client reads the status from grpc-status, not from an HTTP 401.
                    GrpcAnswers.fail(ctx.response(), e, RequestIds.of(ctx.request()));
                } else {
                    ErrorReplies.send(ctx.response(), e, RequestIds.of(ctx.request()));
                }
            }
        });
    }

    void check(HttpServerRequest request) {
        String path = canonical(request.path());
        if (open(path)) {
            return;
        }
        Role needed = needs(path);
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() == 7) {
            throw new UnauthorizedException("a token is required: send Authorization: Bearer <token>", CHALLENGE);
        }
        Optional<Role> role = tokens.roleOf(header.substring(7).trim());
        if (role.isEmpty()) {
            throw new UnauthorizedException("the bearer token is not one the manager knows",
                    CHALLENGE + ", error=\"invalid_token\"");
        }
        if (!role.get().covers(needed)) {
            throw new ForbiddenException(request.method() + " " + request.path() + " is part of the control API; "
                    + "this token may send model traffic only");
        }
    }

    /**
     * For probes and scrapers (health, Prometheus metrics), readers of the API's documentation, and
     * the dashboard's page: a browser cannot send a bearer token when it loads a page, and the
     * page's files hold no data; it asks for a token and sends it with each call to /dashboard/api.
     */
    static boolean open(String canonicalPath) {
        boolean dashboardPage = (canonicalPath.equals("/dashboard") || canonicalPath.startsWith("/dashboard/"))
                && !(canonicalPath.equals("/dashboard/api") || canonicalPath.startsWith("/dashboard/api/"));
        return dashboardPage || canonicalPath.equals("/health") || canonicalPath.startsWith("/health/")
                || canonicalPath.equals("/q/health") || canonicalPath.startsWith("/q/health/")
                || canonicalPath.equals("/q/metrics")
                || canonicalPath.equals("/openapi.json")
                || canonicalPath.equals("/docs") || canonicalPath.startsWith("/docs/");
    }

    /**
     * The path as the resources will be matched against it, or stricter: decoded, without matrix
     * parameters, empty or dot segments, in lower case. Without this, {@code //services/register}
     * or {@code /%73ervices/register} would pass for model traffic and still reach the registry.
     */
    static String canonical(String rawPath) {
        return alreadyCanonical(rawPath) ? rawPath : rebuilt(rawPath);
    }

    /** {@link #canonical} the long way: every segment split off, decoded and joined again. */
    static String rebuilt(String rawPath) {
        Deque<String> segments = new ArrayDeque<>();
        for (String raw : rawPath.split("/")) {
            // Decoded as the forwarding routes read a model's name; malformed escapes are judged as written.
            String segment = ForwardingRoutes.decoded(raw.contains(";") ? raw.substring(0, raw.indexOf(';')) : raw);
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

    /**
     * Whether {@link #canonical} would give the path back unchanged, which is what nearly every
     * request's path is: lower-case letters, digits, {@code -_.} in non-empty segments that are not
     * dot segments. Checked in one pass, so that those requests split, decode and join nothing.
     */
    static boolean alreadyCanonical(String path) {
        int length = path.length();
        if (path.equals("/")) {
            return true;
        }
        if (length == 0 || path.charAt(0) != '/' || path.charAt(length - 1) == '/') {
            return false;
        }
        int segmentStart = 1;
        for (int i = 1; i <= length; i++) {
            char c = i == length ? '/' : path.charAt(i);
            if (c == '/') {
                int segment = i - segmentStart;
                if (segment == 0 || path.charAt(segmentStart) == '.'
                        && (segment == 1 || segment == 2 && path.charAt(segmentStart + 1) == '.')) {
                    return false;
                }
                segmentStart = i + 1;
            } else if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    static Role needs(String path) {
        for (String prefix : CONTROL_PATHS) {
            if (path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/')) {
                return Role.CONTROL;
            }
        }
        return Role.DATA;
    }
}
