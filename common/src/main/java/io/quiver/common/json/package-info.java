/**
 * JSON on the wire: the one mapper configuration of a service, the reader that takes typed request
 * records whatever their declared content type, the messages that name a bad field as the client
 * wrote it, and the helpers for the bodies hot paths still parse as trees.
 */
package io.quiver.common.json;
