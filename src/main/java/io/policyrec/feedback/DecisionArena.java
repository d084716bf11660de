package io.policyrec.feedback;

import io.policyrec.policy.Candidate;
import io.policyrec.policy.Context;
import java.util.Arrays;

/**
 * What a pending decision needs to be learned from (context, eligible actions, draws and their
 * probabilities, the candidates of a policy over action features), kept as one record in a
 * single int array, in arrival order: a decision waiting
 * for its reward holds no object of its own, so young collections do not copy it (issue 17: the
 * decisions of one reward window were most of what each young pause copied).
 *
 * <p>A record is freed where it lies; when the array is full its live records slide to the front
 * (in order, so the first live record is still the oldest arrival: the eviction order), and the
 * array doubles only if they fill more than half of it, so each int is copied about once, and a
 * long window's decision does not pin the records freed behind it.
 *
 * <p>Record layout: slot, length, sparse flag, context size, eligible count (-1 for all), draws,
 * candidates (-1 for fixed actions), then indices (sparse only), values (float bits), eligible,
 * actions, probabilities (two ints each), then per candidate its identity row, its feature count m,
 * m rows and m values (float bits). Candidates were four arrays a decision before (50 candidates of
 * 10 features: 4.5 KB that every young collection of the window copied; Rank with 50 actions then
 * paused 27 ms a collection at 2,000/s).
 */
final class DecisionArena {
    private static final int HEADER = 7;
    private static final int FREED = -1;

    /** Told where a slot's record moved when the arena compacts. */
    interface Relocation {
        void moved(int slot, int position);
    }

    private final Relocation relocation;
    private int[] data;
    private int head;
    private int tail;

    DecisionArena(int initialInts, Relocation relocation) {
        this.data = new int[initialInts];
        this.relocation = relocation;
    }

    /** Ints the arena holds, live or not (for tests and sizing). */
    int capacity() {
        return data.length;
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
        if (tail + length > data.length) {
            makeRoom(length);
        }
        int at = tail;
        int[] d = data;
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
        return at;
    }

    void free(int position) {
        data[position] = FREED;
    }

    /** The slot of the oldest live record, or -1 when there is none. */
    int oldestSlot() {
        while (head < tail && data[head] == FREED) {
            head += data[head + 1];
        }
        return head < tail ? data[head] : -1;
    }

    Context context(int at) {
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

    int[] eligible(int at) {
        int e = data[at + 4];
        return e < 0 ? null : Arrays.copyOfRange(data, eligibleAt(at), eligibleAt(at) + e);
    }

    int[] actions(int at) {
        int from = actionsAt(at);
        return Arrays.copyOfRange(data, from, from + data[at + 5]);
    }

    double[] probabilities(int at) {
        double[] q = new double[data[at + 5]];
        int p = actionsAt(at) + q.length;
        for (int i = 0; i < q.length; i++, p += 2) {
            q[i] = Double.longBitsToDouble(((long) data[p] << 32) | (data[p + 1] & 0xFFFFFFFFL));
        }
        return q;
    }

    /** The decision's candidates as the learner reads them, or null for fixed actions. */
    Candidate[] candidates(int at) {
        int count = data[at + 6];
        if (count < 0) {
            return null;
        }
        Candidate[] out = new Candidate[count];
        int p = actionsAt(at) + 3 * data[at + 5];
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

    private int eligibleAt(int at) {
        int n = data[at + 3];
        return at + HEADER + (data[at + 2] == 1 ? 2 * n : n);
    }

    private int actionsAt(int at) {
        return eligibleAt(at) + Math.max(0, data[at + 4]);
    }

    /** Slides the live records to the front, then doubles the array if they fill more than half. */
    private void makeRoom(int length) {
        int to = 0;
        int from = head;
        while (from < tail) {
            int size = data[from + 1];
            if (data[from] != FREED) {
                if (to != from) {
                    System.arraycopy(data, from, data, to, size);
                    relocation.moved(data[to], to);
                }
                to += size;
            }
            from += size;
        }
        head = 0;
        tail = to;
        if (tail + length > data.length / 2) {
            data = Arrays.copyOf(data, Math.max(2 * data.length, 2 * (tail + length)));
        }
    }
}
