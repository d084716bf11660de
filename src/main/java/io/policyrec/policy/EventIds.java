package io.policyrec.policy;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Event ids: 128 random bits in UUID form. Whoever holds an event id can post its reward, so the
 * bits must not be guessable from other ids: they come from a cryptographically secure generator
 * (a DRBG, NIST SP 800-90A, seeded from the system's entropy), one per thread so that no request
 * waits on another's lock, as a single shared {@code SecureRandom} would make them (measured in
 * loadtest/RESULTS.md, Engine: event ids). Each thread draws its bytes 1,024 at a time, 64 ids'
 * worth: a call of the JDK's Hash_DRBG hashes once per 32 bytes asked and once more to move its
 * state, besides its fixed costs (locking, counters), so 16 bytes a call cost more than twice what
 * they cost from a larger draw.
 */
public final class EventIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int ID_BYTES = 16;
    private static final ThreadLocal<Pool> POOL = ThreadLocal.withInitial(Pool::new);

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
        return POOL.get().random.getAlgorithm();
    }

    public static String next() {
        Pool pool = POOL.get();
        byte[] bytes = pool.bytes;
        if (pool.next >= bytes.length) {
            pool.random.nextBytes(bytes);
            pool.next = 0;
        }
        int o = pool.next;
        pool.next = o + ID_BYTES;
        char[] c = new char[36];
        int p = 0;
        for (int i = 0; i < ID_BYTES; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                c[p++] = '-';
            }
            c[p++] = HEX[(bytes[o + i] >> 4) & 0xF];
            c[p++] = HEX[bytes[o + i] & 0xF];
        }
        return new String(c);
    }

    /** One thread's generator and the bytes it drew that no id has taken yet (from {@code next}). */
    private static final class Pool {
        final SecureRandom random = generator();
        final byte[] bytes = new byte[64 * ID_BYTES];
        int next = bytes.length;
    }
}
