/**
 * Self-registration with a model-manager: the service's description, registering with backoff, and
 * the heartbeats that keep its lease.
 */
package io.quiver.server.registration;
