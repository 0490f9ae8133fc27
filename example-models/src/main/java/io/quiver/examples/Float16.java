package io.quiver.examples;

/**
 * IEEE 754 binary16 conversions, as Java 20's {@code Float.floatToFloat16} and
 * {@code Float.float16ToFloat} do them (Quiver builds for Java 17): float to half rounds to
 * nearest, ties to even, overflows to infinity and keeps NaN a NaN.
 */
public final class Float16 {
    private Float16() {
    }

    /** The half bit pattern nearest to {@code value}. */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7F_FFFF;
        if (exponent == 0xFF) {
            // Infinity stays infinity; a NaN keeps its top payload bits and stays quiet.
            return (short) (sign | 0x7C00 | (mantissa == 0 ? 0 : 0x200 | (mantissa >>> 13)));
        }
        int halfExponent = exponent - 127 + 15;
        if (halfExponent >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (halfExponent <= 0) {
            if (halfExponent < -10) {
                return (short) sign; // below half the smallest subnormal, 2^-25
            }
            // Subnormal half: the implicit leading one becomes explicit and shifts into the fraction.
            int significand = mantissa | 0x80_0000;
            int shift = 14 - halfExponent;
            return (short) (sign | roundToEven(significand, shift));
        }
        // A carry out of the fraction moves into the exponent, up to infinity, which is still correct.
        return (short) (sign | ((halfExponent << 10) + roundToEven(mantissa, 13)));
    }

    /** The float equal to the half {@code bits} (every half is exactly a float). */
    public static float toFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int fraction = h & 0x3FF;
        if (exponent == 0) {
            float magnitude = fraction * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (fraction << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (fraction << 13));
    }

    /** {@code value} rounded to half precision and back. */
    public static float round(float value) {
        return toFloat(fromFloat(value));
    }

    /** The gap between {@code value}'s half and the next half away from zero: one unit in the last place. */
    public static float ulp(float value) {
        short bits = (short) (fromFloat(Math.abs(value)) & 0x7FFF);
        return toFloat((short) (bits + 1)) - toFloat(bits);
    }

    static short[] fromFloats(float[] values) {
        short[] halves = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            halves[i] = fromFloat(values[i]);
        }
        return halves;
    }

    private static int roundToEven(int value, int shift) {
        int kept = value >>> shift;
        int rest = value & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (rest > halfway || (rest == halfway && (kept & 1) != 0)) {
            kept++;
        }
        return kept;
    }
}
