/**
 * What runs before any endpoint of either service: the request id, and the body limit checked
 * before a byte is read.
 */
package io.quiver.common.http;
