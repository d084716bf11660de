package io.policyrec.snapshot;

import io.policyrec.learning.LearnerState;
import io.policyrec.learning.PolicyNetwork;
import io.policyrec.policy.PolicyConfig;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * How a snapshot keeps a hashed-features policy's first layer: only the rows that differ from the
 * ones its seed drew at creation, with their Adam moments. An application names a few thousand of
 * 2^bits buckets; every other row is still as the seed drew it, with zero moments. So a policy of
 * 2^16 x 32 that learned from 5,000 distinct features writes 5,000 rows, not 65,536, and one that
 * learned nothing writes none; a restore draws the seed's rows again and lays the stored ones over
 * them, bit for bit (the learner's weights are floats, stored as floats). The bias and the layers
 * after the first are written whole, as doubles, as for dense policies; the per-bucket scales as
 * the buckets that have one.
 */
final class HashedRows {
    private HashedRows() {
    }

    static void write(DataOutputStream out, PolicyConfig config, LearnerState l) throws IOException {
        int width = config.hiddenLayers().get(0);
        int table = config.contextDimension() * width;
        double[] p = l.params();
        double[] o = l.optimizerState();
        int n = p.length;
        SnapshotCodec.writeDoubles(out, Arrays.copyOfRange(p, table, n));
        SnapshotCodec.writeDoubles(out, Arrays.copyOfRange(o, table, n));
        SnapshotCodec.writeDoubles(out, Arrays.copyOfRange(o, n + table, 2 * n));
        double[] init = PolicyNetwork.initialParams(config.layerWidths(), config.seed(), true);
        int rows = config.contextDimension();
        boolean[] changed = new boolean[rows];
        int count = 0;
        for (int r = 0; r < rows; r++) {
            for (int i = r * width; i < (r + 1) * width; i++) {
                if ((float) init[i] != (float) p[i] || o[i] != 0 || o[n + i] != 0) {
                    changed[r] = true;
                    count++;
                    break;
                }
            }
        }
        out.writeInt(count);
        for (int r = 0; r < rows; r++) {
            if (changed[r]) {
                out.writeInt(r);
                int start = r * width;
                for (int i = start; i < start + width; i++) {
                    out.writeFloat((float) p[i]);
                }
                for (int i = start; i < start + width; i++) {
                    out.writeFloat((float) o[i]);
                }
                for (int i = start; i < start + width; i++) {
                    out.writeFloat((float) o[n + i]);
                }
            }
        }
    }

    /** The per-bucket scales: only the buckets a batch has scaled (the others are 0), as (bucket, scale). */
    static void writeScales(DataOutputStream out, float[] scales) throws IOException {
        int count = 0;
        for (float s : scales) {
            if (s != 0f) {
                count++;
            }
        }
        out.writeInt(scales.length);
        out.writeInt(count);
        for (int i = 0; i < scales.length; i++) {
            if (scales[i] != 0f) {
                out.writeInt(i);
                out.writeFloat(scales[i]);
            }
        }
    }

    static float[] readScales(DataInputStream in, int buckets) throws IOException, UnreadableSnapshotException {
        int length = in.readInt();
        int count = in.readInt();
        if (length != buckets || count < 0 || count > buckets || (long) count * 8 > in.available()) {
            throw new UnreadableSnapshotException("snapshot feature scales do not fit its config");
        }
        float[] scales = new float[buckets];
        for (int c = 0; c < count; c++) {
            int i = in.readInt();
            if (i < 0 || i >= buckets) {
                throw new UnreadableSnapshotException("snapshot scale of bucket " + i + " outside " + buckets);
            }
            scales[i] = in.readFloat();
        }
        return scales;
    }

    /** The whole flat parameters and the [m | v] Adam state, as {@link LearnerState} keeps them. */
    static double[][] read(DataInputStream in, PolicyConfig config) throws IOException, UnreadableSnapshotException {
        int width = config.hiddenLayers().get(0);
        int rows = config.contextDimension();
        int table = rows * width;
        int n = (int) config.parameterCount();
        double[] rest = SnapshotCodec.readDoubles(in);
        double[] mRest = SnapshotCodec.readDoubles(in);
        double[] vRest = SnapshotCodec.readDoubles(in);
        if (rest.length != n - table || mRest.length != rest.length || vRest.length != rest.length) {
            throw new UnreadableSnapshotException("snapshot weights do not fit its config");
        }
        double[] params = new double[n];
        double[] optimizer = new double[2 * n];
        double[] init = PolicyNetwork.initialParams(config.layerWidths(), config.seed(), true);
        for (int i = 0; i < table; i++) {
            params[i] = (float) init[i];
        }
        System.arraycopy(rest, 0, params, table, rest.length);
        System.arraycopy(mRest, 0, optimizer, table, rest.length);
        System.arraycopy(vRest, 0, optimizer, n + table, rest.length);
        int count = in.readInt();
        if (count < 0 || count > rows || (long) count * (4 + 12L * width) > in.available()) {
            throw new UnreadableSnapshotException("snapshot holds " + count + " first-layer rows; its config has " + rows);
        }
        for (int c = 0; c < count; c++) {
            int r = in.readInt();
            if (r < 0 || r >= rows) {
                throw new UnreadableSnapshotException("snapshot row " + r + " is outside the " + rows + " buckets");
            }
            int start = r * width;
            for (int i = start; i < start + width; i++) {
                params[i] = in.readFloat();
            }
            for (int i = start; i < start + width; i++) {
                optimizer[i] = in.readFloat();
            }
            for (int i = start; i < start + width; i++) {
                optimizer[n + i] = in.readFloat();
            }
        }
        return new double[][] {params, optimizer};
    }
}
