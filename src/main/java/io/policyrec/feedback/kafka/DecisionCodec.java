package io.policyrec.feedback.kafka;

import io.policyrec.policy.Candidate;
import io.policyrec.policy.Context;
import io.policyrec.policy.Decision;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The binary form of a decision on the {@code policyrec.decisions} topic.
 *
 * <p>Why binary: a 784-float context is 3,136 bytes as float32 and decodes with one bulk copy,
 * against about 8 KB as JSON text and a number parse per value (several microseconds a
 * decision); the exploration log is written for every decision, so this is the cheapest form
 * that keeps every bit of the context and the exact probabilities. Layout, big-endian:
 *
 * <pre>
 * byte   format (1: dense context, 2: sparse context, 3: sparse context and candidates, 4: as 3, the
 *        decision deferred: learned from only once activated)
 * long   timestamp (epoch ms), incarnation, policyVersion
 * string policy, eventId            (unsigned short length + UTF-8)
 * int    context length n, then n float32 values                 (format 1)
 * int    active features n, then n int buckets, n float32 values (format 2)
 * int    eligible count (-1: all actions), then int action indices
 * int    k, then k x (int action, float64 probability), in draw order
 * int    candidates n, then n x (int identity row, int features m, m int rows, m float32 values)  (format 3)
 * </pre>
 *
 * <p>A hashed-features context is logged as its buckets and values (8 bytes a feature), not as
 * the names the application sent: a replay needs only what the learner reads, a policy's buckets
 * are fixed when it is created, and names would cost 20 to 40 bytes a feature on every decision.
 * Dense decisions keep format 1, so consumers of an earlier release read them unchanged.
 *
 * <p>A policy over action features logs each candidate's rows and values, which is what its
 * learner reads: about 8 bytes a feature, 4.5 KB for 50 candidates of 10 features. (A catalog
 * version and ids would be smaller, but a request may bring candidates no catalog holds.)
 */
public final class DecisionCodec {
    static final byte FORMAT = 1;
    static final byte SPARSE_FORMAT = 2;
    static final byte CANDIDATES_FORMAT = 3;
    /** Deferral is rare and only for candidates (Personalizer's deferActivation): a format, not a byte each. */
    static final byte DEFERRED_CANDIDATES_FORMAT = 4;

    private DecisionCodec() {
    }

    public static byte[] encode(Decision d) {
        byte[] policy = d.policy().getBytes(StandardCharsets.UTF_8);
        byte[] eventId = d.eventId().getBytes(StandardCharsets.UTF_8);
        int eligible = d.eligible() == null ? 0 : d.eligible().length;
        Context context = d.context();
        int n = context.size();
        int size = 1 + 24 + 2 + policy.length + 2 + eventId.length + 4 + (context.sparse() ? 8 : 4) * n
                + 4 + 4 * eligible + 4 + 12 * d.actions().length;
        if (d.candidates() != null) {
            size += 4;
            for (Candidate c : d.candidates()) {
                size += 8 + 8 * c.features().size();
            }
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        if (d.deferred() && d.candidates() == null) {
            throw new IllegalArgumentException("only decisions among candidates are deferred");
        }
        b.put(d.deferred() ? DEFERRED_CANDIDATES_FORMAT : d.candidates() != null ? CANDIDATES_FORMAT
                        : context.sparse() ? SPARSE_FORMAT : FORMAT).putLong(d.timestamp()).putLong(d.incarnation())
                .putLong(d.policyVersion());
        b.putShort((short) policy.length).put(policy);
        b.putShort((short) eventId.length).put(eventId);
        b.putInt(n);
        if (context.sparse()) {
            b.asIntBuffer().put(context.indices());
            b.position(b.position() + 4 * n);
        }
        b.asFloatBuffer().put(context.values());
        b.position(b.position() + 4 * n);
        if (d.eligible() == null) {
            b.putInt(-1);
        } else {
            b.putInt(eligible);
            for (int a : d.eligible()) {
                b.putInt(a);
            }
        }
        b.putInt(d.actions().length);
        for (int i = 0; i < d.actions().length; i++) {
            b.putInt(d.actions()[i]).putDouble(d.probabilities()[i]);
        }
        if (d.candidates() != null) {
            b.putInt(d.candidates().length);
            for (Candidate c : d.candidates()) {
                Context f = c.features();
                b.putInt(c.identity()).putInt(f.size());
                b.asIntBuffer().put(f.indices());
                b.position(b.position() + 4 * f.size());
                b.asFloatBuffer().put(f.values());
                b.position(b.position() + 4 * f.size());
            }
        }
        return b.array();
    }

    /** @throws IllegalArgumentException when the bytes are not a decision of this format */
    public static Decision decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            byte format = b.get();
            if (format != FORMAT && format != SPARSE_FORMAT && format != CANDIDATES_FORMAT
                    && format != DEFERRED_CANDIDATES_FORMAT) {
                throw new IllegalArgumentException("unknown decision format");
            }
            boolean hasCandidates = format == CANDIDATES_FORMAT || format == DEFERRED_CANDIDATES_FORMAT;
            long timestamp = b.getLong();
            long incarnation = b.getLong();
            long version = b.getLong();
            String policy = string(b);
            String eventId = string(b);
            int n = count(b, format == FORMAT ? 4 : 8);
            int[] indices = null;
            if (format != FORMAT) {
                indices = new int[n];
                b.asIntBuffer().get(indices);
                b.position(b.position() + 4 * n);
            }
            float[] values = new float[n];
            b.asFloatBuffer().get(values);
            b.position(b.position() + 4 * n);
            Context context = new Context(indices, values);
            int eligibleCount = b.getInt();
            int[] eligible = null;
            if (eligibleCount >= 0) {
                if ((long) eligibleCount * 4 > b.remaining()) {
                    throw new IllegalArgumentException("bad eligible count " + eligibleCount);
                }
                eligible = new int[eligibleCount];
                for (int i = 0; i < eligibleCount; i++) {
                    eligible[i] = b.getInt();
                }
            }
            int k = count(b, 12);
            int[] actions = new int[k];
            double[] probabilities = new double[k];
            for (int i = 0; i < k; i++) {
                actions[i] = b.getInt();
                probabilities[i] = b.getDouble();
            }
            Candidate[] candidates = null;
            if (hasCandidates) {
                candidates = new Candidate[count(b, 8)];
                for (int i = 0; i < candidates.length; i++) {
                    int identity = b.getInt();
                    int m = count(b, 8);
                    int[] rows = new int[m];
                    b.asIntBuffer().get(rows);
                    b.position(b.position() + 4 * m);
                    float[] v = new float[m];
                    b.asFloatBuffer().get(v);
                    b.position(b.position() + 4 * m);
                    candidates[i] = new Candidate(identity, new Context(rows, v));
                }
            }
            return new Decision(eventId, policy, incarnation, version, timestamp, context, eligible, actions,
                    probabilities, candidates, format == DEFERRED_CANDIDATES_FORMAT);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed decision record: " + e, e);
        }
    }

    /** An element count, checked against the bytes left so that a bad record cannot allocate much. */
    private static int count(ByteBuffer b, int elementBytes) {
        int n = b.getInt();
        if (n < 0 || (long) n * elementBytes > b.remaining()) {
            throw new IllegalArgumentException("bad element count " + n);
        }
        return n;
    }

    private static String string(ByteBuffer b) {
        byte[] s = new byte[b.getShort() & 0xffff];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
