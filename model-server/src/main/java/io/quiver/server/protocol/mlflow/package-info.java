/**
 * MLflow's scoring protocol: /invocations in its four payload formats, and /ping.
 */
package io.quiver.server.protocol.mlflow;
