package io.policyrec.snapshot;

import io.policyrec.learning.LearnerState;
import io.policyrec.policy.PolicyConfig;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * How a snapshot keeps a hashed-features policy's first layer: only the rows that steps changed
 * from the ones its seed drew at creation, with their Adam moments. An application names a few
 * thousand of 2^bits buckets; every other row is still as the seed drew it, with zero moments. So
 * a policy of 2^16 x 32 that learned from 5,000 distinct features writes 5,000 rows, not 65,536,
 * and one that learned nothing writes none; a restore draws the seed's rows again and lays the
 * stored ones over them, bit for bit (the learner's weights are floats, stored as floats). The
 * bias and the layers after the first are written whole, as doubles, as for dense policies; the
 * per-bucket scales as the buckets that have one.
 *
 * <p>A delta ({@link SnapshotCodec}'s format 5) writes only the rows that differ from its
 * parent's, which a learner's copy-on-write state tells by reference, and the scales that differ.
 */
final class HashedRows {
    private HashedRows() {
    }

    /** The first layer's bias and the later layers, with their Adam moments (small: written whole). */
    static void writeHead(DataOutputStream out, LearnerState l) throws IOException {
        double[] p = l.params();
        double[] o = l.optimizerState();
        SnapshotCodec.writeDoubles(out, p);
        SnapshotCodec.writeDoubles(out, Arrays.copyOfRange(o, 0, p.length));
        SnapshotCodec.writeDoubles(out, Arrays.copyOfRange(o, p.length, 2 * p.length));
    }

    /** Every changed row, as (bucket, weights, m, v). */
    static void write(DataOutputStream out, LearnerState l) throws IOException {
        float[][] rows = l.changedRows();
        out.writeInt(l.changedRowCount());
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] != null) {
                writeRow(out, r, rows[r]);
            }
        }
    }

    /** How many rows differ from the parent's: a learner's states share the rows not changed in between. */
    static int differing(LearnerState l, LearnerState parent) {
        float[][] rows = l.changedRows();
        float[][] before = parent.changedRows();
        int count = 0;
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] != before[r]) {
                count++;
            }
        }
        return count;
    }

    /**
     * The rows that differ from the parent's, as (bucket, weights, m, v), or (-bucket - 1) for a
     * row back as the seed drew it (a state restored from an earlier version than the parent).
     */
    static void writeDelta(DataOutputStream out, LearnerState l, LearnerState parent) throws IOException {
        float[][] rows = l.changedRows();
        float[][] before = parent.changedRows();
        out.writeInt(differing(l, parent));
        for (int r = 0; r < rows.length; r++) {
            if (rows[r] != before[r]) {
                if (rows[r] == null) {
                    out.writeInt(-r - 1);
                } else {
                    writeRow(out, r, rows[r]);
                }
            }
        }
    }

    private static void writeRow(DataOutputStream out, int r, float[] block) throws IOException {
        out.writeInt(r);
        for (float f : block) {
            out.writeFloat(f);
        }
    }

    /** The head written by {@link #writeHead}: the parameters and their [m | v]. */
    static double[][] readHead(DataInputStream in, PolicyConfig config) throws IOException, UnreadableSnapshotException {
        int after = (int) config.headSize();
        double[] rest = SnapshotCodec.readDoubles(in);
        double[] mRest = SnapshotCodec.readDoubles(in);
        double[] vRest = SnapshotCodec.readDoubles(in);
        if (rest.length != after || mRest.length != after || vRest.length != after) {
            throw new UnreadableSnapshotException("snapshot weights do not fit its config");
        }
        double[] moments = Arrays.copyOf(mRest, 2 * after);
        System.arraycopy(vRest, 0, moments, after, after);
        return new double[][] {rest, moments};
    }

    /** The rows written by {@link #write}, or by {@link #writeDelta} over a copy of the parent's. */
    static float[][] read(DataInputStream in, PolicyConfig config, float[][] parentRows)
            throws IOException, UnreadableSnapshotException {
        int width = config.hiddenLayers().get(0);
        int buckets = config.tableRows();
        float[][] rows = parentRows == null ? new float[buckets][] : parentRows.clone();
        int count = in.readInt();
        if (count < 0 || count > buckets || (long) count * 4 > in.available()) {
            throw new UnreadableSnapshotException("snapshot holds " + count + " first-layer rows; its config has "
                    + buckets);
        }
        for (int c = 0; c < count; c++) {
            int r = in.readInt();
            if (r < 0 && parentRows != null && -r - 1 < buckets) {
                rows[-r - 1] = null;
                continue;
            }
            if (r < 0 || r >= buckets) {
                throw new UnreadableSnapshotException("snapshot row " + r + " is outside the " + buckets + " buckets");
            }
            if ((long) 12 * width > in.available()) {
                throw new UnreadableSnapshotException("snapshot row " + r + " is cut short");
            }
            float[] block = new float[3 * width];
            for (int i = 0; i < block.length; i++) {
                block[i] = in.readFloat();
            }
            rows[r] = block;
        }
        return rows;
    }

    /** The per-bucket scales: only the buckets a batch has scaled (the others are 0), as (bucket, scale). */
    static void writeScales(DataOutputStream out, float[] scales) throws IOException {
        writeScales(out, scales, new float[scales.length]);
    }

    /** The scales that differ from the parent's (a new policy's parent is all zeros). */
    static void writeScales(DataOutputStream out, float[] scales, float[] parent) throws IOException {
        int count = 0;
        for (int i = 0; i < scales.length; i++) {
            if (Float.floatToRawIntBits(scales[i]) != Float.floatToRawIntBits(parent[i])) {
                count++;
            }
        }
        out.writeInt(scales.length);
        out.writeInt(count);
        for (int i = 0; i < scales.length; i++) {
            if (Float.floatToRawIntBits(scales[i]) != Float.floatToRawIntBits(parent[i])) {
                out.writeInt(i);
                out.writeFloat(scales[i]);
            }
        }
    }

    /** The scales written by {@link #writeScales}, over a copy of the parent's for a delta. */
    static float[] readScales(DataInputStream in, int buckets, float[] parent)
            throws IOException, UnreadableSnapshotException {
        int length = in.readInt();
        int count = in.readInt();
        if (length != buckets || count < 0 || count > buckets || (long) count * 8 > in.available()) {
            throw new UnreadableSnapshotException("snapshot feature scales do not fit its config");
        }
        float[] scales = parent == null ? new float[buckets] : parent.clone();
        for (int c = 0; c < count; c++) {
            int i = in.readInt();
            if (i < 0 || i >= buckets) {
                throw new UnreadableSnapshotException("snapshot scale of bucket " + i + " outside " + buckets);
            }
            scales[i] = in.readFloat();
        }
        return scales;
    }
}
