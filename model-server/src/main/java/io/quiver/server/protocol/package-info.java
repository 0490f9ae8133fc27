/**
 * What the wire formats share: row payloads turned into tensors for a model's inputs, answers
 * turned back into rows, tensors as JSON, a model version's status.
 */
package io.quiver.server.protocol;
