package io.quiver.server.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class that observes the server while its startup models are still loading, so
 * {@link StartupModelsLoaded} does not wait for them before its tests.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface WhileStartupModelsLoad {
}
