/**
 * Who may call the manager: the bearer token of every request, checked before any route sees it,
 * and the role (data or control) each configured token hash grants.
 */
package io.quiver.manager.auth;
