/**
 * Concurrency helpers both services share: a limit on requests running or waiting that refuses the
 * next one at once, and named daemon threads for background work.
 */
package io.quiver.common.concurrent;
