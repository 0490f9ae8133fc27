package io.quiver.manager.auth;

/** What a token may do. Control includes data: whoever may deploy a model may also call it. */
public enum Role {
    DATA,
    CONTROL;

    boolean covers(Role needed) {
        return compareTo(needed) >= 0;
    }
}
