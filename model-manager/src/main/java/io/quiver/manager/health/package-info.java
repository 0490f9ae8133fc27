/**
 * Active health checks: every registered service asked for its readiness each interval, the
 * results fed to the registry's view of its health.
 */
package io.quiver.manager.health;
