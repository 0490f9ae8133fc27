/**
 * What keeps a failing service from taking the mesh down: one circuit breaker per service and a
 * budget that caps retries.
 */
package io.quiver.manager.resilience;
