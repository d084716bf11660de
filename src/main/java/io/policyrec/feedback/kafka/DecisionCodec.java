package io.policyrec.feedback.kafka;

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
 * byte   format (1)
 * long   timestamp (epoch ms), incarnation, policyVersion
 * string policy, eventId            (unsigned short length + UTF-8)
 * int    context length, then float32 values
 * int    eligible count (-1: all actions), then int action indices
 * int    k, then k x (int action, float64 probability), in draw order
 * </pre>
 */
final class DecisionCodec {
    static final byte FORMAT = 1;

    private DecisionCodec() {
    }

    public static byte[] encode(Decision d) {
        byte[] policy = d.policy().getBytes(StandardCharsets.UTF_8);
        byte[] eventId = d.eventId().getBytes(StandardCharsets.UTF_8);
        int eligible = d.eligible() == null ? 0 : d.eligible().length;
        int size = 1 + 24 + 2 + policy.length + 2 + eventId.length + 4 + 4 * d.context().length + 4 + 4 * eligible
                + 4 + 12 * d.actions().length;
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(FORMAT).putLong(d.timestamp()).putLong(d.incarnation()).putLong(d.policyVersion());
        b.putShort((short) policy.length).put(policy);
        b.putShort((short) eventId.length).put(eventId);
        b.putInt(d.context().length);
        b.asFloatBuffer().put(d.context());
        b.position(b.position() + 4 * d.context().length);
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
        return b.array();
    }

    /** @throws IllegalArgumentException when the bytes are not a decision of this format */
    public static Decision decode(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.get() != FORMAT) {
                throw new IllegalArgumentException("unknown decision format");
            }
            long timestamp = b.getLong();
            long incarnation = b.getLong();
            long version = b.getLong();
            String policy = string(b);
            String eventId = string(b);
            float[] context = new float[count(b, 4)];
            b.asFloatBuffer().get(context);
            b.position(b.position() + 4 * context.length);
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
            return new Decision(eventId, policy, incarnation, version, timestamp, context, eligible, actions,
                    probabilities);
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
