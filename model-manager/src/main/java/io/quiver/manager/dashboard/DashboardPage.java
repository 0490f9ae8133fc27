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
        // Vert.x matches /dashboard/ to this route too; that one is the page itself.
        router.get("/dashboard").handler(ctx -> {
            if (ctx.request().path().equals("/dashboard")) {
                ctx.redirect("/dashboard/");
            } else {
                ctx.next();
            }
        });
    }
}
