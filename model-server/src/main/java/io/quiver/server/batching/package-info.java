/**
 * Dynamic batching: requests for the same model version queued and merged into one run of the
 * model, within a size and a delay, and split back per request.
 */
package io.quiver.server.batching;
