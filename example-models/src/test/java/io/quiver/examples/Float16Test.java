package io.quiver.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Half conversions against bit patterns from IEEE 754 binary16, ties included. */
class Float16Test {

    @Test
    void convertsNormalNumbers() {
        assertEquals((short) 0x3C00, Float16.fromFloat(1f));
        assertEquals((short) 0xC000, Float16.fromFloat(-2f));
        assertEquals((short) 0x7BFF, Float16.fromFloat(65504f));
        assertEquals((short) 0x3555, Float16.fromFloat(1f / 3));
        assertEquals((short) 0x0400, Float16.fromFloat(0x1p-14f));
    }

    @Test
    void roundsTiesToEven() {
        assertEquals((short) 0x3C00, Float16.fromFloat(1f + 0x1p-11f), "1 + half an ulp goes down to the even 1");
        assertEquals((short) 0x3C02, Float16.fromFloat(1f + 3 * 0x1p-11f), "1 + 1.5 ulp goes up to the even 1 + 2 ulp");
        assertEquals((short) 0x3C01, Float16.fromFloat(1f + 0x1p-11f + 0x1p-20f), "just above the tie goes up");
        assertEquals((short) 0x7C00, Float16.fromFloat(65520f), "the tie above the largest half is infinity");
        assertEquals((short) 0x7BFF, Float16.fromFloat(65519.99f));
    }

    @Test
    void handlesSubnormalsZerosAndSpecials() {
        assertEquals((short) 0x0001, Float16.fromFloat(0x1p-24f));
        assertEquals((short) 0x0000, Float16.fromFloat(0x1p-25f), "a tie with zero goes to zero");
        assertEquals((short) 0x0001, Float16.fromFloat(0x1.8p-25f));
        assertEquals((short) 0x0200, Float16.fromFloat(0x1p-15f));
        assertEquals((short) 0x8000, Float16.fromFloat(-0f));
        assertEquals((short) 0x8000, Float16.fromFloat(-1e-30f));
        assertEquals((short) 0xFC00, Float16.fromFloat(Float.NEGATIVE_INFINITY));
        assertEquals((short) 0xFC00, Float16.fromFloat(-1e10f));
        assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.NaN))));
    }

    @Test
    void everyHalfSurvivesTheRoundTrip() {
        for (int bits = 0; bits <= 0xFFFF; bits++) {
            float value = Float16.toFloat((short) bits);
            if (!Float.isNaN(value)) {
                assertEquals((short) bits, Float16.fromFloat(value), () -> Float.toString(value));
            }
        }
        assertEquals(0x1p-10f, Float16.ulp(1f));
        assertEquals(32f, Float16.ulp(-60000f));
    }
}
