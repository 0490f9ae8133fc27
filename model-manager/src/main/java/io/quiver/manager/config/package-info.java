/**
 * The model-manager's configuration, one @ConfigMapping with its documented defaults.
 */
package io.quiver.manager.config;
