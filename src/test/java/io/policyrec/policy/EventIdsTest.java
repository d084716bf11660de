package io.policyrec.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Event ids are unguessable (a secure generator), unique and in UUID form. */
class EventIdsTest {

    @Test
    void comeFromASecureGenerator() {
        assertEquals("DRBG", EventIds.algorithm(), "an event id lets its holder post the reward: not a plain PRNG");
    }

    @Test
    void areUniqueUuidShapedAndUseEveryHexDigitInEveryPlace() {
        Set<String> seen = new HashSet<>();
        int[][] digits = new int[36][16];
        for (int i = 0; i < 20_000; i++) {
            String id = EventIds.next();
            assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), id);
            assertTrue(seen.add(id), "unique: " + id);
            for (int p = 0; p < 36; p++) {
                if (id.charAt(p) != '-') {
                    digits[p][Character.digit(id.charAt(p), 16)]++;
                }
            }
        }
        for (int p = 0; p < 36; p++) {
            if (p == 8 || p == 13 || p == 18 || p == 23) {
                continue;
            }
            for (int d = 0; d < 16; d++) {
                // 20,000 draws, 1,250 expected per digit: 900 is more than 9 standard deviations away.
                assertTrue(digits[p][d] > 900, "digit " + d + " at position " + p + ": " + digits[p][d]);
            }
        }
    }
}
