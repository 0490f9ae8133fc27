/**
 * Training jobs: tabular and time-series data, learners, evaluation on a held-out set, and
 * publishing the trained model into the repository as a new version.
 */
package io.quiver.server.training;
