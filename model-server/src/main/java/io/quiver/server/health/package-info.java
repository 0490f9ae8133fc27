/**
 * The health probes: liveness, and readiness once the models found at start are loaded, at
 * /q/health and at the reference documents' paths.
 */
package io.quiver.server.health;
