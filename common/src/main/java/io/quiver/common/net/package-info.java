/**
 * Which hosts a service may be told to call (a registered service, a model or data URL), so that
 * no client can point it at an internal address.
 */
package io.quiver.common.net;
