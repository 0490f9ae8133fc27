package io.quiver.server.repository;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How row-oriented payloads (/predict, /v1/infer, MLflow) map onto a model's input tensor. */
public enum InputLayout {
    /** Each row fills one slice of the input along its first dimension, e.g. {@code [rows, features]}. */
    @JsonProperty("rows")
    ROWS,
    /** A 1-D series of T values becomes {@code [1, T, 1]}; a list of series becomes {@code [n, T, 1]}. */
    @JsonProperty("sequence")
    SEQUENCE,
    /**
     * A series of at least {@code window} values (the descriptor's {@code window}) becomes one row of
     * its last {@code window} values, {@code [1, window]}; a list of series becomes {@code [n, window]}.
     */
    @JsonProperty("window")
    WINDOW
}
