package io.quiver.server.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Requests stamp a model's use time without the residency's lock, so the stamps of the residents
 * move while an admission ranks them. With a thousand small models under Zipf load that made the
 * sort of the least recently used throw ("Comparison method violates its general contract") and
 * the request that loaded a model on demand answer 500. Here the stamps move at every read, as
 * they may under load, and admission must still evict down to the budget.
 */
class EvictionWhileModelsAreInUseTest {

    /** A model of one byte whose use time is another each time it is read. */
    static final class Busy implements Resident {
        private final Random random;
        boolean evicted;

        Busy(long seed) {
            this.random = new Random(seed);
        }

        @Override
        public long residentBytes() {
            return 1;
        }

        @Override
        public long lastUsedNanos() {
            return random.nextLong();
        }

        @Override
        public boolean resident() {
            return !evicted;
        }

        @Override
        public void evict() {
            evicted = true;
        }
    }

    @Test
    void admissionEvictsDownToTheBudgetWhileUseTimesMove() {
        ModelResidency residency = new ModelResidency(100, new SimpleMeterRegistry());
        List<Busy> models = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Busy model = new Busy(i);
            models.add(model);
            residency.admit(model);
            assertTrue(residency.usedBytes() <= 100, "resident bytes " + residency.usedBytes() + " after " + i);
        }
        assertEquals(100, models.stream().filter(Busy::resident).count());
        // The model just admitted is never its own victim.
        assertFalse(models.get(999).evicted);
    }
}
