/**
 * Training through the manager: jobs sent to a service with the training capability, their status
 * and cancellation found at the service that runs them, and the types they publish learned by the
 * registry.
 */
package io.quiver.manager.training;
