/**
 * Traces (docs/operations.md, "Tracing"): the switch that keeps the OpenTelemetry SDK off unless an
 * OTLP endpoint is set, and the one place code asks whether to make spans and hands a trace's
 * context on to another thread or another service.
 */
package io.quiver.common.tracing;
