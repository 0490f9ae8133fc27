/**
 * The manager's warm-up: before it reports ready, it sends itself model traffic through its own
 * port and router to a stand-in replica, so that the first clients' requests do not pay for the
 * JVM's first pass over the data path.
 */
package io.quiver.manager.warmup;
