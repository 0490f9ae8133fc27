/**
 * The model-manager: service registry, health checks, balancing, retries and circuit breakers
 * behind a unified {@code /predict}. Only its build and health endpoint exist so far.
 */
package io.quiver.manager;
