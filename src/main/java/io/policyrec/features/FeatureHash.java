package io.policyrec.features;

import java.nio.charset.StandardCharsets;

/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby's reference, seed 0) of a feature name's UTF-8
 * bytes: the hash Vowpal Wabbit uses for feature names, fast and well mixed in the low bits that
 * pick a bucket. Collisions are accepted: two names in one bucket share its weights.
 */
public final class FeatureHash {
    private FeatureHash() {
    }

    /** The bucket of a name among 2^bits. */
    public static int bucket(String name, int bits) {
        return murmur3(name) & ((1 << bits) - 1);
    }

    /**
     * The hash of a string's UTF-8 bytes. An ASCII string (ids usually are) is its own UTF-8, read
     * char by char: no byte array per call (a request's 50 candidate ids made 50).
     */
    public static int murmur3(String s) {
        int length = s.length();
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) >= 0x80) {
                return murmur3(s.getBytes(StandardCharsets.UTF_8), 0);
            }
        }
        int h = 0;
        int blocks = length / 4;
        for (int i = 0; i < blocks; i++) {
            h = block(h, s.charAt(4 * i) | s.charAt(4 * i + 1) << 8 | s.charAt(4 * i + 2) << 16
                    | s.charAt(4 * i + 3) << 24);
        }
        int k = 0;
        int tail = blocks * 4;
        switch (length & 3) {
            case 3:
                k ^= s.charAt(tail + 2) << 16;
                // fall through
            case 2:
                k ^= s.charAt(tail + 1) << 8;
                // fall through
            case 1:
                k ^= s.charAt(tail);
                h ^= scramble(k);
                break;
            default:
                break;
        }
        return finish(h, length);
    }

    public static int murmur3(byte[] data, int seed) {
        return murmur3(data, data.length, seed);
    }

    /** The hash of data[0, length): a caller hashes its reused buffer without copying it. */
    public static int murmur3(byte[] data, int length, int seed) {
        int h = seed;
        int blocks = length / 4;
        for (int i = 0; i < blocks; i++) {
            h = block(h, (data[4 * i] & 0xff) | (data[4 * i + 1] & 0xff) << 8 | (data[4 * i + 2] & 0xff) << 16
                    | (data[4 * i + 3] & 0xff) << 24);
        }
        int k = 0;
        int tail = blocks * 4;
        switch (length & 3) {
            case 3:
                k ^= (data[tail + 2] & 0xff) << 16;
                // fall through
            case 2:
                k ^= (data[tail + 1] & 0xff) << 8;
                // fall through
            case 1:
                k ^= data[tail] & 0xff;
                h ^= scramble(k);
                break;
            default:
                break;
        }
        return finish(h, length);
    }

    private static int scramble(int k) {
        k *= 0xcc9e2d51;
        k = Integer.rotateLeft(k, 15);
        return k * 0x1b873593;
    }

    /** Mixes one 4-byte block (little-endian) into h. */
    private static int block(int h, int k) {
        h ^= scramble(k);
        h = Integer.rotateLeft(h, 13);
        return h * 5 + 0xe6546b64;
    }

    private static int finish(int h, int length) {
        h ^= length;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
