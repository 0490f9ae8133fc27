/**
 * The model-server's configuration, one @ConfigMapping with its documented defaults.
 */
package io.quiver.server.config;
