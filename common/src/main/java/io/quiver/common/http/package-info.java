/**
 * What runs before any endpoint of either service: the request id, the body limit checked
 * before a byte is read, and pipelined HTTP/1.1 requests taken one at a time; and the connection
 * on which a service sends its warm-up requests to itself before it reports ready.
 */
package io.quiver.common.http;
