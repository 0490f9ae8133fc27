/**
 * Finding model-servers on Kubernetes: pods selected by label through the Kubernetes API, watched
 * and resynced, registered with the models they list once ready and removed when they go.
 */
package io.quiver.manager.discovery;
