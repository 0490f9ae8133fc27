/**
 * The operator's dashboard: the page (static files under META-INF/resources/dashboard, open, with no
 * data in them) and the control-token endpoint it polls, which gathers what the registry, health,
 * breakers and each replica's own listings say into one answer.
 */
package io.quiver.manager.dashboard;
