package io.policyrec.feedback;

import io.policyrec.policy.Candidate;
import io.policyrec.policy.Context;
import java.util.Arrays;

/**
 * What a pending decision needs to be learned from (context, eligible actions, draws and their
 * probabilities, the candidates of a policy over action features), kept as one record in int
 * segments, in arrival order: a decision waiting for its reward holds no object of its own, so
 * young collections do not copy it (issue 17: the decisions of one reward window were most of what
 * each young pause copied).
 *
 * <p>Segments are fixed-size (4 MB): a record is written into the newest one, freed where it lies,
 * and a segment whose records are all freed goes back to a small pool. Nothing is ever copied or
 * grown in one piece. (One array that doubled and compacted did that; with candidates a window of
 * decisions reached hundreds of MB, and copying it kept the learning thread from a safepoint for up
 * to 1.2 s while every request thread waited there: Rank's p99 stalls.) A position is the segment's
 * slot and the record's offset in it; positions of live records never change.
 *
 * <p>Record layout: slot, length, sparse flag, context size, eligible count (-1 for all), draws,
 * candidates (-1 for fixed actions), then indices (sparse only), values (float bits), eligible,
 * actions, probabilities (two ints each), then per candidate its identity row, its feature count m,
 * m rows and m values (float bits).
 */
final class DecisionArena {
    private static final int HEADER = 7;
    private static final int FREED = -1;
    /** Segments kept for reuse once empty (more are left to the collector). */
    private static final int SPARE = 2;

    private final int segmentBits;
    private final int segmentInts;
    /** Segments by slot (null: slot unused); a position is slot << segmentBits | offset. */
    private int[][] segments = new int[8][];
    private int[] live = new int[8];
    /** The first possibly live record of each segment, and where its records end. */
    private int[] scan = new int[8];
    private int[] end = new int[8];
    /** Slots of the segments in use, oldest first (a ring). */
    private int[] order = new int[8];
    private int orderHead;
    private int orderSize;
    private int[] freeSlots = new int[8];
    private int freeCount;
    private int slotsUsed;
    private final java.util.ArrayDeque<int[]> spare = new java.util.ArrayDeque<>();
    private int tailSlot = -1;
    private int tail;

    /** An arena of 4 MB segments. */
    DecisionArena() {
        this(20);
    }

    /** @param segmentBits log2 of the ints a segment holds; every record must fit one */
    DecisionArena(int segmentBits) {
        this.segmentBits = segmentBits;
        this.segmentInts = 1 << segmentBits;
    }

    /** Ints the arena holds in segments, live or not (for tests and sizing). */
    int capacity() {
        return orderSize * segmentInts;
    }

    /** Appends a decision's record for a slot; returns its position. */
    int append(int slot, Context context, int[] eligible, int[] actions, double[] probabilities,
               Candidate[] candidates) {
        int n = context.size();
        int e = eligible == null ? 0 : eligible.length;
        int length = HEADER + (context.sparse() ? n : 0) + n + e + actions.length + 2 * probabilities.length;
        if (candidates != null) {
            for (Candidate c : candidates) {
                length += 2 + 2 * c.features().size();
            }
        }
        if (length > segmentInts) {
            throw new IllegalArgumentException("a decision record of " + length + " ints exceeds a segment");
        }
        if (tailSlot < 0 || tail + length > segmentInts) {
            openSegment();
        }
        int[] d = segments[tailSlot];
        int at = tail;
        d[at] = slot;
        d[at + 1] = length;
        d[at + 2] = context.sparse() ? 1 : 0;
        d[at + 3] = n;
        d[at + 4] = eligible == null ? -1 : e;
        d[at + 5] = actions.length;
        d[at + 6] = candidates == null ? -1 : candidates.length;
        int p = at + HEADER;
        if (context.sparse()) {
            System.arraycopy(context.indices(), 0, d, p, n);
            p += n;
        }
        float[] values = context.values();
        for (int i = 0; i < n; i++) {
            d[p++] = Float.floatToRawIntBits(values[i]);
        }
        if (eligible != null) {
            System.arraycopy(eligible, 0, d, p, e);
            p += e;
        }
        System.arraycopy(actions, 0, d, p, actions.length);
        p += actions.length;
        for (double q : probabilities) {
            long bits = Double.doubleToRawLongBits(q);
            d[p++] = (int) (bits >>> 32);
            d[p++] = (int) bits;
        }
        if (candidates != null) {
            for (Candidate c : candidates) {
                Context f = c.features();
                int m = f.size();
                d[p++] = c.identity();
                d[p++] = m;
                System.arraycopy(f.indices(), 0, d, p, m);
                p += m;
                float[] v = f.values();
                for (int i = 0; i < m; i++) {
                    d[p++] = Float.floatToRawIntBits(v[i]);
                }
            }
        }
        tail = at + length;
        live[tailSlot]++;
        return tailSlot << segmentBits | at;
    }

    void free(int position) {
        int slot = position >>> segmentBits;
        segments[slot][position & (segmentInts - 1)] = FREED;
        if (--live[slot] == 0 && slot != tailSlot) {
            release(slot);
        }
    }

    /** The slot of the oldest live record, or -1 when there is none. */
    int oldestSlot() {
        while (orderSize > 0) {
            int slot = order[orderHead];
            int[] d = segments[slot];
            int last = slot == tailSlot ? tail : end[slot];
            int at = scan[slot];
            while (at < last && d[at] == FREED) {
                at += d[at + 1];
            }
            scan[slot] = at;
            if (at < last) {
                return d[at];
            }
            if (slot == tailSlot) {
                return -1;
            }
            // Not reached: a segment whose records are all freed leaves the order at once.
            release(slot);
        }
        return -1;
    }

    /** Starts a new segment at the end of the order (the one it leaves is released if empty). */
    private void openSegment() {
        int previous = tailSlot;
        int slot = freeCount > 0 ? freeSlots[--freeCount] : slotsUsed++;
        if (slot >= segments.length) {
            int n = 2 * segments.length;
            segments = java.util.Arrays.copyOf(segments, n);
            live = java.util.Arrays.copyOf(live, n);
            scan = java.util.Arrays.copyOf(scan, n);
            end = java.util.Arrays.copyOf(end, n);
        }
        if (previous >= 0) {
            end[previous] = tail;
        }
        int[] d = spare.pollFirst();
        segments[slot] = d != null ? d : new int[segmentInts];
        live[slot] = 0;
        scan[slot] = 0;
        if (orderSize == order.length) {
            int[] grown = new int[2 * order.length];
            for (int i = 0; i < orderSize; i++) {
                grown[i] = order[(orderHead + i) % order.length];
            }
            order = grown;
            orderHead = 0;
        }
        order[(orderHead + orderSize++) % order.length] = slot;
        tailSlot = slot;
        tail = 0;
        if (previous >= 0 && live[previous] == 0) {
            release(previous);
        }
    }

    /** A segment with no live record leaves the order; kept for reuse, or left to the collector. */
    private void release(int slot) {
        for (int i = 0; i < orderSize; i++) {
            int k = (orderHead + i) % order.length;
            if (order[k] == slot) {
                for (int j = i; j > 0; j--) {
                    order[(orderHead + j) % order.length] = order[(orderHead + j - 1) % order.length];
                }
                orderHead = (orderHead + 1) % order.length;
                orderSize--;
                break;
            }
        }
        if (spare.size() < SPARE) {
            spare.addLast(segments[slot]);
        }
        segments[slot] = null;
        if (freeCount == freeSlots.length) {
            freeSlots = java.util.Arrays.copyOf(freeSlots, 2 * freeCount);
        }
        freeSlots[freeCount++] = slot;
    }

    Context context(int position) {
        int[] data = segments[position >>> segmentBits];
        int at = position & (segmentInts - 1);
        int n = data[at + 3];
        int p = at + HEADER;
        int[] indices = null;
        if (data[at + 2] == 1) {
            indices = Arrays.copyOfRange(data, p, p + n);
            p += n;
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = Float.intBitsToFloat(data[p + i]);
        }
        return new Context(indices, values);
    }

    int[] eligible(int position) {
        int[] data = segments[position >>> segmentBits];
        int at = position & (segmentInts - 1);
        int e = data[at + 4];
        return e < 0 ? null : Arrays.copyOfRange(data, eligibleAt(data, at), eligibleAt(data, at) + e);
    }

    int[] actions(int position) {
        int[] data = segments[position >>> segmentBits];
        int at = position & (segmentInts - 1);
        int from = actionsAt(data, at);
        return Arrays.copyOfRange(data, from, from + data[at + 5]);
    }

    double[] probabilities(int position) {
        int[] data = segments[position >>> segmentBits];
        int at = position & (segmentInts - 1);
        double[] q = new double[data[at + 5]];
        int p = actionsAt(data, at) + q.length;
        for (int i = 0; i < q.length; i++, p += 2) {
            q[i] = Double.longBitsToDouble(((long) data[p] << 32) | (data[p + 1] & 0xFFFFFFFFL));
        }
        return q;
    }

    /** The decision's candidates as the learner reads them, or null for fixed actions. */
    Candidate[] candidates(int position) {
        int[] data = segments[position >>> segmentBits];
        int at = position & (segmentInts - 1);
        int count = data[at + 6];
        if (count < 0) {
            return null;
        }
        Candidate[] out = new Candidate[count];
        int p = actionsAt(data, at) + 3 * data[at + 5];
        for (int i = 0; i < count; i++) {
            int identity = data[p];
            int m = data[p + 1];
            p += 2;
            int[] rows = Arrays.copyOfRange(data, p, p + m);
            p += m;
            float[] values = new float[m];
            for (int j = 0; j < m; j++) {
                values[j] = Float.intBitsToFloat(data[p + j]);
            }
            p += m;
            out[i] = new Candidate(identity, new Context(rows, values));
        }
        return out;
    }

    private static int eligibleAt(int[] data, int at) {
        int n = data[at + 3];
        return at + HEADER + (data[at + 2] == 1 ? 2 * n : n);
    }

    private static int actionsAt(int[] data, int at) {
        return eligibleAt(data, at) + Math.max(0, data[at + 4]);
    }
}
