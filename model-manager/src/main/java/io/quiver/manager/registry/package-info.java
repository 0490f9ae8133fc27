/**
 * The services the manager routes to: registration, heartbeats and leases, the services file,
 * the crash-safe journal, and each service's health as the manager believes it.
 */
package io.quiver.manager.registry;
