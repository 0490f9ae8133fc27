/**
 * The data path: requests forwarded by model type or model name to a healthy service, as the bytes
 * they came in, with retries on another service when one fails.
 */
package io.quiver.manager.routing;
