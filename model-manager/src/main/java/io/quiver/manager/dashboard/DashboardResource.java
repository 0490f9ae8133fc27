package io.quiver.manager.dashboard;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The data behind the dashboard page, for the control token only (auth/AccessFilter). The page
 * itself is static and open: it holds nothing until it has a token to ask this with.
 */
@Path("/dashboard/api")
@Produces(MediaType.APPLICATION_JSON)
public class DashboardResource {
    private final Dashboard dashboard;

    DashboardResource(Dashboard dashboard) {
        this.dashboard = dashboard;
    }

    /** Services with health, load, recent minutes and models; training jobs; recent registry events. */
    @GET
    @Path("summary")
    public DashboardSummary summary() {
        return dashboard.summary();
    }
}
