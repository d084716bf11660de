package io.policyrec.feedback;

import java.util.Arrays;

/**
 * The join's entries as columns of primitive arrays, one index (slot) per decision from its arrival
 * until it is forgotten; freed slots are reused before the arrays grow. Policy names and join rules
 * are numbered once ({@link RewardJoin} keeps the numbering), so an entry holds no reference.
 */
final class JoinSlots {
    static final byte FREE = 0;
    static final byte PENDING = 1;
    static final byte APPLIED = 2;
    static final byte CLOSED = 3;
    static final byte EVICTED = 4;

    long[] deadline = new long[0];
    /** Position in the decision log, -1 without Kafka. */
    long[] offset = new long[0];
    /** The log offset, or the arrival number without one: breaks deadline ties alike on a replay. */
    long[] order = new long[0];
    long[] seq = new long[0];
    long[] forgetAt = new long[0];
    long[] timestamp = new long[0];
    long[] version = new long[0];
    long[] incarnation = new long[0];
    long[] footprint = new long[0];
    byte[] state = new byte[0];
    int[] rewards = new int[0];
    /** A deferred decision not activated yet: it is learned from only once it is. */
    boolean[] awaitingActivation = new boolean[0];
    double[] sum = new double[0];
    double[] max = new double[0];
    int[] policy = new int[0];
    int[] rule = new int[0];
    /** Where the decision's record sits in the arena while it is pending, else -1. */
    int[] record = new int[0];

    private int[] free = new int[64];
    private int freeCount;
    private int used;

    /** A slot for a new entry, PENDING. */
    int allocate() {
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            if (used == state.length) {
                grow(Math.max(64, 2 * used));
            }
            slot = used++;
        }
        state[slot] = PENDING;
        return slot;
    }

    void release(int slot) {
        state[slot] = FREE;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, 2 * freeCount);
        }
        free[freeCount++] = slot;
    }

    /** Slots ever handed out: every live slot is below it. */
    int highWater() {
        return used;
    }

    private void grow(int n) {
        deadline = Arrays.copyOf(deadline, n);
        offset = Arrays.copyOf(offset, n);
        order = Arrays.copyOf(order, n);
        seq = Arrays.copyOf(seq, n);
        forgetAt = Arrays.copyOf(forgetAt, n);
        timestamp = Arrays.copyOf(timestamp, n);
        version = Arrays.copyOf(version, n);
        incarnation = Arrays.copyOf(incarnation, n);
        footprint = Arrays.copyOf(footprint, n);
        state = Arrays.copyOf(state, n);
        rewards = Arrays.copyOf(rewards, n);
        awaitingActivation = Arrays.copyOf(awaitingActivation, n);
        sum = Arrays.copyOf(sum, n);
        max = Arrays.copyOf(max, n);
        policy = Arrays.copyOf(policy, n);
        rule = Arrays.copyOf(rule, n);
        record = Arrays.copyOf(record, n);
    }
}
