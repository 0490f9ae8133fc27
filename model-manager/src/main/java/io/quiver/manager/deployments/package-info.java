/**
 * Reference document 000's deployment API: each deployed model version runs as a model-server of
 * its own, started, recorded on disk, registered, restarted when it dies, and reached at
 * {@code /{model_name}-{version}/...}.
 */
package io.quiver.manager.deployments;
