package io.quiver.server.training;

import io.quiver.common.error.BadRequestException;

/**
 * How much data one job may take, so that no job can take the server's memory:
 * {@code quiver.training.max-rows} and {@code quiver.training.max-cells}.
 */
record TrainingLimits(int maxRows, long maxCells) {

    void checkRows(long rows, String source) {
        if (rows > maxRows) {
            throw new BadRequestException(source + " has more than " + maxRows
                    + " rows, the most quiver.training.max-rows allows");
        }
    }

    void checkCells(long rows, long columns, String what) {
        if (rows * columns > maxCells) {
            throw new BadRequestException(what + " hold " + rows + " x " + columns + " = " + rows * columns
                    + " values, more than quiver.training.max-cells (" + maxCells + ") allows");
        }
    }
}
