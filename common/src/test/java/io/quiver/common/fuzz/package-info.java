/**
 * What the fuzz tests of every module share: the verdict that an input was decoded or refused as a
 * client error (docs/reliability.md, "Fuzzing").
 */
package io.quiver.common.fuzz;
