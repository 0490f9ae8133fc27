/**
 * The APIs of the reference documents: document 002's /v1 model server, document 003's unified
 * /predict and document 004's multi-model /models and /predictions.
 */
package io.quiver.server.protocol.reference;
