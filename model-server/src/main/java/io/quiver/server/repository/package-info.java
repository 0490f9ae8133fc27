/**
 * The model repository: finding versions on disk, reading their descriptors, and fetching models
 * from URLs into it, within size, time and destination limits.
 */
package io.quiver.server.repository;
