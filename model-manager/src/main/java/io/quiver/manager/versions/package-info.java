/**
 * Retiring a model version across the mesh: every service that serves it drains and unloads it.
 */
package io.quiver.manager.versions;
