/**
 * Per-version counts and durations of requests and runs, for the V2 statistics extension.
 */
package io.quiver.server.statistics;
