/**
 * Serving model versions: loading and unloading them, the registry of what is served, per-version
 * workers and queues, the repository watcher, and the inference entry point every protocol calls.
 */
package io.quiver.server.serving;
