package io.quiver.manager.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * How the access check reads a path: the one-pass shortcut for paths that are already canonical
 * must never judge a path the full decoding would judge differently, or a disguised control path
 * would pass for model traffic.
 */
class AccessPathsTest {

    @Test
    void disguisedControlPathsAreReadAsTheControlPathsTheyAre() {
        for (String disguised : new String[] {"//services/register", "/%73ervices/register", "/Services/register",
                "/v2/../services/register", "/./services", "/services;x=1/register", "/services/", "/TRAIN"}) {
            assertFalse(AccessFilter.alreadyCanonical(disguised), disguised);
            assertEquals(Role.CONTROL, AccessFilter.needs(AccessFilter.canonical(disguised)), disguised);
        }
    }

    @Test
    void plainPathsAreTakenAsTheyAre() {
        for (String plain : new String[] {"/", "/predict", "/v2/models/house_price/infer", "/v2/models/m-1.onnx/ready",
                "/services", "/models/x/versions/2"}) {
            assertTrue(AccessFilter.alreadyCanonical(plain), plain);
            assertEquals(plain, AccessFilter.rebuilt(plain));
        }
    }

    @Test
    void aControlPathIsOneOfThePrefixesOrBelowOneNotAPathThatMerelyStartsLikeOne() {
        assertEquals(Role.CONTROL, AccessFilter.needs("/services"));
        assertEquals(Role.CONTROL, AccessFilter.needs("/services/register"));
        assertEquals(Role.CONTROL, AccessFilter.needs("/dashboard/api/summary"));
        assertEquals(Role.DATA, AccessFilter.needs("/servicesx"));
        assertEquals(Role.DATA, AccessFilter.needs("/predict"));
        assertEquals(Role.DATA, AccessFilter.needs("/v2/models/services/infer"));
    }

    @Test
    void theShortcutAgreesWithTheFullDecodingOnRandomPaths() {
        char[] alphabet = {'/', '/', '/', '.', '.', 's', 'e', 'r', 'v', 'i', 'c', 'S', '%', '7', '3', ';', '+', '-', '_', '1'};
        Random random = new Random(7);
        int shortcuts = 0;
        for (int n = 0; n < 200_000; n++) {
            StringBuilder path = new StringBuilder();
            if (random.nextInt(10) > 0) {
                path.append('/');
            }
            for (int i = random.nextInt(14); i > 0; i--) {
                path.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String raw = path.toString();
            if (AccessFilter.alreadyCanonical(raw)) {
                shortcuts++;
                assertEquals(AccessFilter.rebuilt(raw), raw, raw);
            }
        }
        assertTrue(shortcuts > 1_000, "too few paths took the shortcut to test it: " + shortcuts);
    }
}
