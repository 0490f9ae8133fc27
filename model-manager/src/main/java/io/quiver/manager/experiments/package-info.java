/**
 * A/B experiments, shadows and aggregate predictions: a logical model split between variants by
 * weight, its store and summary, and reference document 001's prediction endpoints that serve it.
 */
package io.quiver.manager.experiments;
