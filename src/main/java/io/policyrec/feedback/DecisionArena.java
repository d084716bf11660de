package io.policyrec.feedback;

import io.policyrec.policy.Candidate;
import io.policyrec.policy.Context;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * What a pending decision needs to be learned from (context, eligible actions, draws and their
 * probabilities, the candidates of a policy over action features), kept as one record in int
 * segments off the Java heap, in arrival order: a decision waiting for its reward holds no object
 * of its own, so young collections do not copy it (issue 17: the decisions of one reward window
 * were most of what each young pause copied), and its segment is no humongous object
 * ({@link SegmentPool} says why that matters).
 *
 * <p>Segments are fixed-size (4 MB): a record is written into the newest one, freed where it lies,
 * and a segment whose records are all freed goes back to the pool the arenas of its learner thread
 * share. Nothing is ever copied or grown in one piece. (One array that doubled and compacted did that; with candidates a window of
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
    private final int segmentBits;
    private final int segmentInts;
    /** Segments by slot (null: slot unused); a position is slot << segmentBits | offset. */
    private SegmentPool.Segment[] segments = new SegmentPool.Segment[8];
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
    private final SegmentPool pool;
    private int tailSlot = -1;
    private int tail;
    private boolean released;

    /** An arena of 4 MB segments from a pool. */
    DecisionArena(SegmentPool pool) {
        this(20, pool);
    }

    /** @param segmentBits log2 of the ints a segment holds; every record must fit one */
    DecisionArena(int segmentBits, SegmentPool pool) {
        this.pool = pool;
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
        IntBuffer d = segments[tailSlot].ints();
        FloatBuffer values = segments[tailSlot].floats();
        int at = tail;
        d.put(at, slot);
        d.put(at + 1, length);
        d.put(at + 2, context.sparse() ? 1 : 0);
        d.put(at + 3, n);
        d.put(at + 4, eligible == null ? -1 : e);
        d.put(at + 5, actions.length);
        d.put(at + 6, candidates == null ? -1 : candidates.length);
        int p = at + HEADER;
        if (context.sparse()) {
            d.put(p, context.indices(), 0, n);
            p += n;
        }
        values.put(p, context.values(), 0, n);
        p += n;
        if (eligible != null) {
            d.put(p, eligible, 0, e);
            p += e;
        }
        d.put(p, actions, 0, actions.length);
        p += actions.length;
        for (double q : probabilities) {
            long bits = Double.doubleToRawLongBits(q);
            d.put(p++, (int) (bits >>> 32));
            d.put(p++, (int) bits);
        }
        if (candidates != null) {
            for (Candidate c : candidates) {
                Context f = c.features();
                int m = f.size();
                d.put(p++, c.identity());
                d.put(p++, m);
                d.put(p, f.indices(), 0, m);
                p += m;
                values.put(p, f.values(), 0, m);
                p += m;
            }
        }
        tail = at + length;
        live[tailSlot]++;
        return tailSlot << segmentBits | at;
    }

    void free(int position) {
        int slot = position >>> segmentBits;
        segments[slot].ints().put(position & (segmentInts - 1), FREED);
        if (--live[slot] == 0 && slot != tailSlot) {
            release(slot);
        }
    }

    /** The slot of the oldest live record, or -1 when there is none. */
    int oldestSlot() {
        while (orderSize > 0) {
            int slot = order[orderHead];
            IntBuffer d = segments[slot].ints();
            int last = slot == tailSlot ? tail : end[slot];
            int at = scan[slot];
            while (at < last && d.get(at) == FREED) {
                at += d.get(at + 1);
            }
            scan[slot] = at;
            if (at < last) {
                return d.get(at);
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
        if (released) {
            throw new IllegalStateException("the arena was released");
        }
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
        segments[slot] = pool.take(segmentInts);
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

    /** A segment with no live record leaves the order and goes back to the pool. */
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
        pool.giveBack(segments[slot]);
        segments[slot] = null;
        if (freeCount == freeSlots.length) {
            freeSlots = java.util.Arrays.copyOf(freeSlots, 2 * freeCount);
        }
        freeSlots[freeCount++] = slot;
    }

    Context context(int position) {
        SegmentPool.Segment segment = segments[position >>> segmentBits];
        IntBuffer data = segment.ints();
        int at = position & (segmentInts - 1);
        int n = data.get(at + 3);
        int p = at + HEADER;
        int[] indices = null;
        if (data.get(at + 2) == 1) {
            indices = ints(data, p, n);
            p += n;
        }
        return new Context(indices, floats(segment.floats(), p, n));
    }

    int[] eligible(int position) {
        IntBuffer data = segments[position >>> segmentBits].ints();
        int at = position & (segmentInts - 1);
        int e = data.get(at + 4);
        return e < 0 ? null : ints(data, eligibleAt(data, at), e);
    }

    int[] actions(int position) {
        IntBuffer data = segments[position >>> segmentBits].ints();
        int at = position & (segmentInts - 1);
        return ints(data, actionsAt(data, at), data.get(at + 5));
    }

    double[] probabilities(int position) {
        IntBuffer data = segments[position >>> segmentBits].ints();
        int at = position & (segmentInts - 1);
        double[] q = new double[data.get(at + 5)];
        int p = actionsAt(data, at) + q.length;
        for (int i = 0; i < q.length; i++, p += 2) {
            q[i] = Double.longBitsToDouble(((long) data.get(p) << 32) | (data.get(p + 1) & 0xFFFFFFFFL));
        }
        return q;
    }

    /** The decision's candidates as the learner reads them, or null for fixed actions. */
    Candidate[] candidates(int position) {
        SegmentPool.Segment segment = segments[position >>> segmentBits];
        IntBuffer data = segment.ints();
        int at = position & (segmentInts - 1);
        int count = data.get(at + 6);
        if (count < 0) {
            return null;
        }
        Candidate[] out = new Candidate[count];
        int p = actionsAt(data, at) + 3 * data.get(at + 5);
        for (int i = 0; i < count; i++) {
            int identity = data.get(p);
            int m = data.get(p + 1);
            p += 2;
            int[] rows = ints(data, p, m);
            p += m;
            float[] values = floats(segment.floats(), p, m);
            p += m;
            out[i] = new Candidate(identity, new Context(rows, values));
        }
        return out;
    }

    /** Gives every segment back to the pool: the arena is empty after (its partition left). */
    void release() {
        for (int slot = 0; slot < segments.length; slot++) {
            if (segments[slot] != null) {
                pool.giveBack(segments[slot]);
                segments[slot] = null;
            }
        }
        orderSize = 0;
        orderHead = 0;
        tailSlot = -1;
        tail = 0;
        // No segment is opened again, so a position kept from before fails (a null segment) rather
        // than reading another decision's record.
        released = true;
    }

    private static int[] ints(IntBuffer data, int from, int n) {
        int[] out = new int[n];
        data.get(from, out, 0, n);
        return out;
    }

    private static float[] floats(FloatBuffer data, int from, int n) {
        float[] out = new float[n];
        data.get(from, out, 0, n);
        return out;
    }

    private static int eligibleAt(IntBuffer data, int at) {
        int n = data.get(at + 3);
        return at + HEADER + (data.get(at + 2) == 1 ? 2 * n : n);
    }

    private static int actionsAt(IntBuffer data, int at) {
        return eligibleAt(data, at) + Math.max(0, data.get(at + 4));
    }
}
