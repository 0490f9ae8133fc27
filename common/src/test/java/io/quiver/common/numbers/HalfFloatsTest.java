package io.quiver.common.numbers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * How numbers (read from JSON, or example weights) become FP16 and BF16: nearest value, ties to
 * even, never silently infinite.
 */
class HalfFloatsTest {

    @Test
    void everyFiniteHalfSurvivesTheRoundTrip() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short half = (short) bits;
            float value = HalfFloats.fp16ToFloat(half);
            if (!Float.isNaN(value)) {
                assertEquals(half, HalfFloats.toFp16(value), "FP16 bits " + Integer.toHexString(bits));
            }
            float brain = HalfFloats.bf16ToFloat(half);
            if (!Float.isNaN(brain)) {
                assertEquals(half, HalfFloats.toBf16(brain), "BF16 bits " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void numbersRoundToTheNearestHalfWithTiesToEven() {
        // Between 1 and 1 + 2^-10 the halfway point goes to the even mantissa, 1.
        assertEquals(0x3c00, HalfFloats.toFp16(1 + 0x1p-11));
        // Between 1 + 2^-10 (odd) and 1 + 2^-9 (even) it goes up.
        assertEquals(0x3c02, HalfFloats.toFp16(1 + 3 * 0x1p-11));
        assertEquals(0x3c01, HalfFloats.toFp16(1 + 0x1p-11 + 0x1p-30));
        assertEquals(0x2e66, HalfFloats.toFp16(0.1));
        assertEquals(0x0001, HalfFloats.toFp16(0x1p-24), "smallest subnormal");
        assertEquals(0x0000, HalfFloats.toFp16(0x1p-25), "half of it is a tie, to even zero");
        assertEquals((short) 0x8000, HalfFloats.toFp16(-0.0));
        assertEquals(0x7bff, HalfFloats.toFp16(65504));
        assertEquals(0x3dcd, HalfFloats.toBf16(0.1));
        assertEquals(0x3f80, HalfFloats.toBf16(1 + 0x1p-8), "BF16 tie to even");
    }

    @Test
    void subnormalsSignedZerosAndSpecialsKeepTheirMeaning() {
        assertEquals(0x0001, HalfFloats.toFp16(0x1.8p-25), "above the tie with zero goes up");
        assertEquals(0x0200, HalfFloats.toFp16(0x1p-15));
        assertEquals(0x0400, HalfFloats.toFp16(0x1p-14), "smallest normal");
        assertEquals(0x3555, HalfFloats.toFp16(1f / 3));
        assertEquals((short) 0x8000, HalfFloats.toFp16(-1e-30));
        assertEquals((short) 0xfc00, HalfFloats.toFp16(Double.NEGATIVE_INFINITY));
        assertEquals((short) 0xfc00, HalfFloats.toFp16(-1e10), "beyond the largest half is infinity");
        assertTrue(Float.isNaN(HalfFloats.fp16ToFloat(HalfFloats.toFp16(Double.NaN))));
    }

    @Test
    void numbersBeyondTheLargestHalfAreNotAccepted() {
        assertTrue(HalfFloats.fitsFp16(65519.99));
        assertFalse(HalfFloats.fitsFp16(65520));
        assertFalse(HalfFloats.fitsFp16(-1e6));
        assertTrue(HalfFloats.fitsBf16(3.0e38));
        assertFalse(HalfFloats.fitsBf16(3.4e38));
    }
}
