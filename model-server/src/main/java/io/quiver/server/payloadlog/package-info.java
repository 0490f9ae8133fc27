/**
 * Payload logging (reference document 001's "metrics logger"): a sample of each model's inference
 * requests, their bodies, outcome and timings, written as CloudEvents off the request path, to a
 * JSON-lines file and to an HTTP collector. A full buffer drops and counts, never waits.
 */
package io.quiver.server.payloadlog;
