package io.policyrec.snapshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.policyrec.learning.LearnerState;
import io.policyrec.policy.PolicyConfig;
import io.policyrec.policy.PolicyConfigSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The binary form of a snapshot: a magic number and format version, the config as JSON, then the
 * numbers (parameters and Adam state as doubles, earlier policies as floats), and a CRC32 of
 * everything before it so that a torn or corrupted file is refused rather than half-loaded.
 * A 784x32x32x10 policy takes about 640 KB.
 */
public final class SnapshotCodec {
    private static final int MAGIC = 0x50525331; // "PRS1"
    /**
     * 3: the config may carry regularizer.targetEntropyRatio and lambdaMax (an older build refuses
     * it as unsupported rather than learning with a fixed lambda); 2 is read as before.
     */
    private static final int FORMAT = 3;
    /**
     * 4: a policy over hashed named features: its first layer as the rows that differ from its
     * seed's ({@link HashedRows}), and its per-bucket feature scales after the earlier policies.
     * Dense policies are still written as 3, which an earlier release reads.
     */
    private static final int HASHED_FORMAT = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotCodec() {
    }

    public static byte[] encode(StoredPolicy s) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            LearnerState l = s.learner();
            boolean hashed = s.config().hashed();
            out.writeInt(hashed ? HASHED_FORMAT : FORMAT);
            writeString(out, s.name());
            out.writeLong(s.incarnation());
            writeString(out, JSON.writeValueAsString(PolicyConfigSpec.of(s.config())));
            out.writeLong(s.version());
            out.writeLong(s.createdAt());
            out.writeLong(s.savedAt());
            out.writeDouble(s.meanEntropy());
            out.writeLong(l.updates());
            out.writeDouble(l.baseline());
            out.writeLong(l.baselineBatches());
            out.writeDouble(l.lambda());
            if (hashed) {
                HashedRows.write(out, s.config(), l);
            } else {
                writeDoubles(out, l.params());
                writeDoubles(out, l.optimizerState());
            }
            out.writeInt(l.previous().size());
            for (float[] p : l.previous()) {
                writeFloats(out, p);
            }
            if (hashed) {
                HashedRows.writeScales(out, l.featureScales());
            }
            out.writeInt(s.positions().size());
            for (Map.Entry<String, Long> e : new java.util.TreeMap<>(s.positions()).entrySet()) {
                writeString(out, e.getKey());
                out.writeLong(e.getValue());
            }
            out.writeInt(s.join().pending().size());
            for (JoinState.Pending p : s.join().pending()) {
                out.writeLong(p.offset());
                out.writeInt(p.rewards());
                out.writeDouble(p.sum());
                out.writeDouble(p.max());
            }
            out.writeInt(s.join().batch().size());
            for (JoinState.BatchEntry b : s.join().batch()) {
                out.writeLong(b.offset());
                out.writeDouble(b.reward());
            }
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode snapshot", e);
        }
    }

    public static StoredPolicy decode(byte[] data) throws SnapshotStoreException {
        if (data.length < 16) {
            throw new UnreadableSnapshotException("snapshot too short: " + data.length + " bytes");
        }
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length - 8);
        long stored = ((long) (data[data.length - 8] & 0xff) << 56) | ((long) (data[data.length - 7] & 0xff) << 48)
                | ((long) (data[data.length - 6] & 0xff) << 40) | ((long) (data[data.length - 5] & 0xff) << 32)
                | ((long) (data[data.length - 4] & 0xff) << 24) | ((data[data.length - 3] & 0xff) << 16)
                | ((data[data.length - 2] & 0xff) << 8) | (data[data.length - 1] & 0xff);
        if (crc.getValue() != stored) {
            throw new UnreadableSnapshotException("snapshot checksum mismatch: the data is corrupted");
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 0, data.length - 8));
            if (in.readInt() != MAGIC) {
                throw new UnreadableSnapshotException("not a policy snapshot");
            }
            int format = in.readInt();
            if (format != FORMAT && format != 2 && format != HASHED_FORMAT) {
                throw new UnreadableSnapshotException("unsupported snapshot format " + format);
            }
            String name = readString(in);
            long incarnation = in.readLong();
            PolicyConfigSpec.Resolution r = JSON.readValue(readString(in), PolicyConfigSpec.class).resolveStored();
            if (!r.ok()) {
                throw new UnreadableSnapshotException("snapshot config is invalid: " + r.errors());
            }
            PolicyConfig config = r.config();
            long version = in.readLong();
            long createdAt = in.readLong();
            long savedAt = in.readLong();
            double entropy = in.readDouble();
            long updates = in.readLong();
            double baseline = in.readDouble();
            long baselineBatches = in.readLong();
            double lambda = in.readDouble();
            if (config.hashed() != (format == HASHED_FORMAT)) {
                throw new UnreadableSnapshotException("snapshot format " + format + " does not fit its config");
            }
            double[] params;
            double[] optimizer;
            if (format == HASHED_FORMAT) {
                double[][] both = HashedRows.read(in, config);
                params = both[0];
                optimizer = both[1];
            } else {
                params = readDoubles(in);
                optimizer = readDoubles(in);
            }
            if (params.length != config.parameterCount() || optimizer.length != 2 * params.length) {
                throw new UnreadableSnapshotException("snapshot weights do not fit its config");
            }
            int previousCount = in.readInt();
            if (previousCount < 0 || previousCount > config.regularizer().previousCount()) {
                throw new UnreadableSnapshotException("snapshot holds " + previousCount + " earlier policies, its config "
                        + config.regularizer().previousCount());
            }
            List<float[]> previous = new ArrayList<>();
            for (int i = 0; i < previousCount; i++) {
                float[] earlier = readFloats(in);
                if (earlier.length != params.length) {
                    throw new UnreadableSnapshotException("an earlier policy in the snapshot does not fit its config");
                }
                previous.add(earlier);
            }
            float[] scales = null;
            if (format == HASHED_FORMAT) {
                scales = HashedRows.readScales(in, config.contextDimension());
            }
            int positionCount = in.readInt();
            Map<String, Long> positions = new LinkedHashMap<>();
            for (int i = 0; i < positionCount; i++) {
                positions.put(readString(in), in.readLong());
            }
            int pendingCount = in.readInt();
            List<JoinState.Pending> pending = new ArrayList<>();
            for (int i = 0; i < pendingCount; i++) {
                pending.add(new JoinState.Pending(in.readLong(), in.readInt(), in.readDouble(), in.readDouble()));
            }
            int batchCount = in.readInt();
            List<JoinState.BatchEntry> batch = new ArrayList<>();
            for (int i = 0; i < batchCount; i++) {
                batch.add(new JoinState.BatchEntry(in.readLong(), in.readDouble()));
            }
            LearnerState learner = new LearnerState(params, optimizer, updates, baseline, baselineBatches, lambda,
                    previous, scales);
            return new StoredPolicy(name, incarnation, config, version, createdAt, savedAt, entropy, learner, positions,
                    new JoinState(pending, batch));
        } catch (IOException | RuntimeException e) {
            throw new UnreadableSnapshotException("cannot decode snapshot: " + e.getMessage(), e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad string length " + n);
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    static void writeDoubles(DataOutputStream out, double[] values) throws IOException {
        out.writeInt(values.length);
        for (double v : values) {
            out.writeDouble(v);
        }
    }

    // Lengths are checked against the bytes left before allocating: a forged length must not
    // allocate gigabytes.
    static double[] readDoubles(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || (long) n * Double.BYTES > in.available()) {
            throw new IOException("bad array length " + n);
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readDouble();
        }
        return v;
    }

    private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        out.writeInt(values.length);
        for (float v : values) {
            out.writeFloat(v);
        }
    }

    private static float[] readFloats(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || (long) n * Float.BYTES > in.available()) {
            throw new IOException("bad array length " + n);
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readFloat();
        }
        return v;
    }
}
