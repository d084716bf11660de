package io.policyrec.policy;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Event ids: 128 random bits in UUID form. Whoever holds an event id can post its reward, so the
 * bits must not be guessable from other ids: they come from a cryptographically secure generator
 * (a DRBG, NIST SP 800-90A, seeded from the system's entropy), one per thread so that no request
 * waits on another's lock, as a single shared {@code SecureRandom} would make them (measured in
 * loadtest/RESULTS.md, Engine: event ids).
 */
public final class EventIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(EventIds::generator);

    private EventIds() {
    }

    static SecureRandom generator() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    /** The algorithm behind this thread's ids (a test checks that it is a secure one). */
    static String algorithm() {
        return RANDOM.get().getAlgorithm();
    }

    public static String next() {
        byte[] bytes = new byte[16];
        RANDOM.get().nextBytes(bytes);
        char[] c = new char[36];
        int p = 0;
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                c[p++] = '-';
            }
            c[p++] = HEX[(bytes[i] >> 4) & 0xF];
            c[p++] = HEX[bytes[i] & 0xF];
        }
        return new String(c);
    }
}
