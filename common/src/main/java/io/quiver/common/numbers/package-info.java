/**
 * Numbers the wire formats carry that Java has no type for: IEEE half precision (FP16) and bfloat16
 * (BF16), rounded to nearest even from doubles and widened back exactly.
 */
package io.quiver.common.numbers;
