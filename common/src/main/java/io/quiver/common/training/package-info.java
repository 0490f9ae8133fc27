/**
 * The wire shapes of training ({@code POST /train} and its jobs), shared by the model-server that
 * runs the jobs and the manager that forwards them, so that both documents show the same shapes.
 */
package io.quiver.common.training;
