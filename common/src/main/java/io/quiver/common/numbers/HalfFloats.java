package io.quiver.common.numbers;

/**
 * IEEE half precision (FP16) and bfloat16 (BF16) values held as their 16 bits. A number becomes a
 * half by rounding to the nearest representable value, ties to even, straight from the double it
 * was read as (no rounding through FP32 first); a number beyond the largest finite half would round
 * to infinity, so callers refuse it instead ({@link #fitsFp16}, {@link #fitsBf16}).
 */
public final class HalfFloats {
    /** The largest finite FP16 value. */
    public static final double FP16_MAX = 65504.0;
    /** The largest finite BF16 value, (2 - 2^-7) * 2^127. */
    public static final double BF16_MAX = 0x1.fep127;

    private HalfFloats() {
    }

    public static float fp16ToFloat(short bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float value = mantissa * 0x1p-24f;
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Whether {@code value} rounds to a finite FP16 (NaN and infinities are kept as they are). */
    public static boolean fitsFp16(double value) {
        return !(Math.abs(value) >= 65520.0) || Double.isInfinite(value);
    }

    /** Whether {@code value} rounds to a finite BF16 (NaN and infinities are kept as they are). */
    public static boolean fitsBf16(double value) {
        return !(Math.abs(value) >= 0x1.ffp127) || Double.isInfinite(value);
    }

    public static short toFp16(double value) {
        return round(value, 10, 15, 0x7e00);
    }

    public static short toBf16(double value) {
        return round(value, 7, 127, 0x7fc0);
    }

    /** Rounds to a binary format of {@code mantissaBits} and exponent {@code bias}, ties to even. */
    private static short round(double value, int mantissaBits, int bias, int nan) {
        if (Double.isNaN(value)) {
            return (short) nan;
        }
        int sign = Double.doubleToRawLongBits(value) < 0 ? 0x8000 : 0;
        double magnitude = Math.abs(value);
        int infinity = ((2 * bias + 1) << mantissaBits);
        if (Double.isInfinite(magnitude)) {
            return (short) (sign | infinity);
        }
        int minExponent = 1 - bias;
        int bits;
        if (magnitude < Math.scalb(1.0, minExponent)) {
            // Subnormal: a multiple of the smallest step, which Math.rint rounds ties-to-even.
            bits = (int) Math.rint(Math.scalb(magnitude, bias - 1 + mantissaBits));
        } else {
            int exponent = Math.getExponent(magnitude);
            long mantissa = (long) Math.rint(Math.scalb(magnitude, mantissaBits - exponent));
            if (mantissa == 2L << mantissaBits) {
                mantissa >>= 1;
                exponent++;
            }
            if (exponent > bias) {
                return (short) (sign | infinity);
            }
            bits = ((exponent + bias) << mantissaBits) | (int) (mantissa - (1L << mantissaBits));
        }
        return (short) (sign | bits);
    }
}
