/**
 * MLflow's model registry over its REST API 2.0: registered models, their versions and aliases, the
 * download location of a version, and {@code models:/} URIs. The transport is each service's own
 * HTTP client; what is asked, how pages are followed and what each failure means live here once.
 */
package io.quiver.common.mlflow;
