package io.quiver.manager.dashboard;

import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Sends {@code /dashboard} to {@code /dashboard/}, where the static page is served, so that its
 * relative links (the script, the style, the API) resolve under /dashboard/ whichever one is typed.
 */
@Singleton
public class DashboardPage {
    void install(@Observes Router router) {
        router.get("/dashboard").handler(ctx -> ctx.redirect("/dashboard/"));
    }
}
