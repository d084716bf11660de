package io.policyrec.feedback;

import java.util.Arrays;

/**
 * The join's index from event id to slot, without an object per id: ids in the form the service
 * generates (a UUID's 36 lower-case hex characters and dashes) are kept as two longs per slot; any
 * other id (a client's own, or a test's) as its string. Open addressing with linear probing and
 * backward-shift deletion, so that removals leave no tombstones.
 *
 * <p>Lookups parse the id into this table's probe fields: one thread drives it, as the join.
 */
final class EventIdTable {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private long[] high = new long[0];
    private long[] low = new long[0];
    private String[] other = new String[0];
    private int[] hash = new int[0];
    /** Slot + 1 per cell, 0 when empty. */
    private int[] cells = new int[1024];
    private int size;

    private boolean probeUuid;
    private long probeHigh;
    private long probeLow;
    private String probeOther;
    private int probeHash;

    int size() {
        return size;
    }

    /** The slot of an id, or -1. */
    int find(String eventId) {
        probe(eventId);
        int mask = cells.length - 1;
        for (int i = probeHash & mask; cells[i] != 0; i = (i + 1) & mask) {
            int slot = cells[i] - 1;
            if (hash[slot] == probeHash && matches(slot)) {
                return slot;
            }
        }
        return -1;
    }

    /** Adds an id for a slot; the id must not be in the table. */
    void add(String eventId, int slot) {
        probe(eventId);
        if (slot >= hash.length) {
            int n = Math.max(64, Math.max(slot + 1, 2 * hash.length));
            high = Arrays.copyOf(high, n);
            low = Arrays.copyOf(low, n);
            other = Arrays.copyOf(other, n);
            hash = Arrays.copyOf(hash, n);
        }
        high[slot] = probeHigh;
        low[slot] = probeLow;
        other[slot] = probeUuid ? null : probeOther;
        hash[slot] = probeHash;
        if (2 * (size + 1) > cells.length) {
            rehash(2 * cells.length);
        }
        insert(slot);
        size++;
    }

    void remove(int slot) {
        int mask = cells.length - 1;
        int i = hash[slot] & mask;
        while (cells[i] != slot + 1) {
            i = (i + 1) & mask;
        }
        // Backward shift: move later entries of the run into the hole when their home allows it.
        int hole = i;
        for (int j = (i + 1) & mask; cells[j] != 0; j = (j + 1) & mask) {
            int home = hash[cells[j] - 1] & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                cells[hole] = cells[j];
                hole = j;
            }
        }
        cells[hole] = 0;
        other[slot] = null;
        size--;
    }

    /** The id of a slot in the table, as it was given. */
    String eventId(int slot) {
        if (other[slot] != null) {
            return other[slot];
        }
        char[] c = new char[36];
        int p = 0;
        for (int n = 0; n < 32; n++) {
            if (n == 8 || n == 12 || n == 16 || n == 20) {
                c[p++] = '-';
            }
            long word = n < 16 ? high[slot] : low[slot];
            c[p++] = HEX[(int) (word >>> (4 * (15 - (n & 15)))) & 0xF];
        }
        return new String(c);
    }

    private boolean matches(int slot) {
        return probeUuid ? other[slot] == null && high[slot] == probeHigh && low[slot] == probeLow
                : probeOther.equals(other[slot]);
    }

    private void insert(int slot) {
        int mask = cells.length - 1;
        int i = hash[slot] & mask;
        while (cells[i] != 0) {
            i = (i + 1) & mask;
        }
        cells[i] = slot + 1;
    }

    private void rehash(int capacity) {
        int[] old = cells;
        cells = new int[capacity];
        for (int c : old) {
            if (c != 0) {
                insert(c - 1);
            }
        }
    }

    private void probe(String id) {
        probeOther = id;
        probeUuid = id.length() == 36;
        long hi = 0;
        long lo = 0;
        for (int i = 0, n = 0; probeUuid && i < 36; i++) {
            char ch = id.charAt(i);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                probeUuid = ch == '-';
                continue;
            }
            int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
            if (v < 0) {
                probeUuid = false;
            } else if (n++ < 16) {
                hi = hi << 4 | v;
            } else {
                lo = lo << 4 | v;
            }
        }
        probeHigh = hi;
        probeLow = lo;
        long h = probeUuid ? hi * 0x9E3779B97F4A7C15L ^ lo : id.hashCode() * 0x9E3779B97F4A7C15L;
        probeHash = (int) (h ^ (h >>> 29) ^ (h >>> 47));
    }
}
