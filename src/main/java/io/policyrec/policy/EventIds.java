package io.policyrec.policy;

import java.util.concurrent.ThreadLocalRandom;

/** Event ids: 128 random bits in UUID form, without the lock SecureRandom takes per call. */
public final class EventIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private EventIds() {
    }

    public static String next() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = r.nextLong();
        long lo = r.nextLong();
        char[] c = new char[36];
        int p = 0;
        for (int i = 0; i < 16; i++, p++) {
            if (i == 8 || i == 12) {
                c[p++] = '-';
            }
            c[p] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xF];
        }
        for (int i = 0; i < 16; i++, p++) {
            if (i == 0 || i == 4) {
                c[p++] = '-';
            }
            c[p] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xF];
        }
        return new String(c);
    }
}
