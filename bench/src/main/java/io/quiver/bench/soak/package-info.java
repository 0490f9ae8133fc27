/**
 * The soak ({@code bench/soak}, {@code ./quiver soak}): a mesh of real processes under mixed load
 * for tens of minutes, with faults, reporting every minute what was asked, what failed and why, and
 * each process's memory, threads and descriptors, and judging at the end whether any of them grew.
 */
package io.quiver.bench.soak;
