package io.quiver.server.serving;

/**
 * A model, or one version of it, that could not be loaded, and why. {@code version} is null when
 * no version could be named (a model listed in {@code quiver.startup-models} that is not in the
 * repository) and {@code name} too when the repository itself could not be read.
 *
 * @param atStart whether it failed while loading the repository at start, rather than at a load request
 */
public record LoadFailure(String name, String version, String reason, boolean atStart) {

    /** {@code name/version: reason}, as logs and the readiness check show it. */
    @Override
    public String toString() {
        String what = name == null ? "repository" : version == null ? name : name + "/" + version;
        return what + ": " + reason;
    }
}
