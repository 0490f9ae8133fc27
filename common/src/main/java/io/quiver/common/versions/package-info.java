/**
 * The one order of version names both services use: the model-server for {@code latest}, the
 * model-manager for the versions its registries list.
 */
package io.quiver.common.versions;
