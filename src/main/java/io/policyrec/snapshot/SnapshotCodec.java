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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The binary form of a snapshot: a magic number and format version, the config as JSON, then the
 * numbers (parameters and Adam state as doubles, earlier policies as floats), and a CRC32 of
 * everything before it so that a torn or corrupted file is refused rather than half-loaded.
 * A 784x32x32x10 policy takes about 640 KB. A hashed policy's snapshot may be a delta of an
 * earlier one ({@link #encodeDelta}); {@link SnapshotChain} decides which to write.
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
    /**
     * 5: a hashed policy's snapshot as a delta of an earlier one (its parent, named by version and
     * checksum): the first-layer rows and feature scales that differ, everything else whole.
     */
    private static final int DELTA_FORMAT = 5;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotCodec() {
    }

    /** The snapshot whole: what {@link #decode(byte[])} reads alone. */
    public static byte[] encode(StoredPolicy s) {
        return encode(s, null, 0).finish();
    }

    /** Where an encoded snapshot goes straight from the encoder's buffer: bytes[0, length). */
    @FunctionalInterface
    public interface Sink {
        void write(byte[] bytes, int length) throws IOException;
    }

    /**
     * The snapshot whole, as {@link #encode(StoredPolicy)} gives it, handed to a sink from the
     * encoder's buffer without a copy (a file store's save: no ~640 KB array per save of a dense
     * policy). Returns its length.
     */
    public static int encode(StoredPolicy s, Sink sink) throws IOException {
        Output o = encode(s, null, 0);
        try {
            sink.write(o.buffer(), o.size());
            return o.size();
        } finally {
            o.release();
        }
    }

    /**
     * A hashed policy's snapshot as a delta of its parent (an earlier snapshot of the same
     * incarnation, whose encoded form has checksum {@code parentCrc}): the first-layer rows and the
     * scales that differ from the parent's, everything else whole. Reading it needs the parent.
     */
    public static byte[] encodeDelta(StoredPolicy s, StoredPolicy parent, long parentCrc) {
        if (!s.config().hashed() || parent.incarnation() != s.incarnation() || parent.version() >= s.version()) {
            throw new IllegalArgumentException("a delta needs a hashed policy's earlier snapshot of the same incarnation");
        }
        return encode(s, parent, parentCrc).finish();
    }

    /** The encoded snapshot in the (reused) buffer: the caller finishes or releases it. */
    private static Output encode(StoredPolicy s, StoredPolicy parent, long parentCrc) {
        try {
            Output bytes = Output.start();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            LearnerState l = s.learner();
            boolean hashed = s.config().hashed();
            out.writeInt(parent != null ? DELTA_FORMAT : hashed ? HASHED_FORMAT : FORMAT);
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
            if (parent != null) {
                out.writeLong(parent.version());
                out.writeLong(parentCrc);
                HashedRows.writeHead(out, l);
                HashedRows.writeDelta(out, l, parent.learner());
            } else if (hashed) {
                HashedRows.writeHead(out, l);
                HashedRows.write(out, l);
            } else {
                writeDoubles(out, l.params());
                writeDoubles(out, l.optimizerState());
            }
            out.writeInt(l.previous().size());
            for (float[] p : l.previous()) {
                writeFloats(out, p);
            }
            if (parent != null) {
                HashedRows.writeScales(out, l.featureScales(), parent.learner().featureScales());
            } else if (hashed) {
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
            // Last and optional (snapshots written before orphans were held end above; readers check),
            // then as optional: the offsets of deferred decisions not activated yet.
            List<Long> awaiting = s.join().pending().stream().filter(p -> !p.activated())
                    .map(JoinState.Pending::offset).toList();
            if (!s.join().orphans().isEmpty() || !awaiting.isEmpty()) {
                out.writeInt(s.join().orphans().size());
                for (JoinState.Orphan o : s.join().orphans()) {
                    out.writeLong(o.offset());
                    writeString(out, o.eventId());
                    out.writeDouble(o.reward());
                    out.writeLong(o.eventTime());
                    out.writeLong(o.receivedAt());
                }
            }
            if (!awaiting.isEmpty()) {
                out.writeInt(awaiting.size());
                for (long offset : awaiting) {
                    out.writeLong(offset);
                }
            }
            out.flush();
            out.writeLong(bytes.crc());
            out.flush();
            return bytes;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode snapshot", e);
        }
    }

    /**
     * The buffer a snapshot is encoded into, reused: a dense policy's snapshot is ~640 KB, past
     * G1's humongous size at a 3 GB heap, and growing a new buffer to it, copying it for the
     * checksum and again for the result made four humongous arrays per save (each may start a
     * collection: most of the collections while serving a dense policy, measured with JFR). Now the
     * result is the only one, and a file store's save has none ({@link #encode(StoredPolicy, Sink)}).
     * One buffer is kept (the snapshot publisher's, in practice), and only
     * up to {@link #KEEP}; an encoding that finds it taken makes its own. (At 4 MB, a hashed policy's
     * whole snapshot, 8 MB for Rank's two 2^16-row tables, was past it: each save grew a new buffer
     * by doublings up to 8 MB, humongous arrays every 3 s, each able to start a cycle.)
     */
    private static final class Output extends ByteArrayOutputStream {
        private static final int KEEP = 64 << 20;
        private static final java.util.concurrent.atomic.AtomicReference<Output> SPARE =
                new java.util.concurrent.atomic.AtomicReference<>();

        private Output() {
            super(1 << 16);
        }

        static Output start() {
            Output o = SPARE.getAndSet(null);
            return o != null ? o : new Output();
        }

        /** CRC32 of what was written so far, read in place. */
        long crc() {
            CRC32 crc = new CRC32();
            crc.update(buf, 0, count);
            return crc.getValue();
        }

        /** The bytes written, in place (valid until {@link #release}). */
        byte[] buffer() {
            return buf;
        }

        /** The buffer goes back for the next encoding. */
        void release() {
            reset();
            if (buf.length <= KEEP) {
                SPARE.set(this);
            }
        }

        /** A copy of the bytes written; the buffer goes back for the next encoding. */
        byte[] finish() {
            byte[] out = Arrays.copyOf(buf, count);
            release();
            return out;
        }
    }

    /** The checksum an encoded snapshot ends with: what a delta names its parent by, with its version. */
    public static long checksum(byte[] data) {
        return data.length < 8 ? -1 : ByteBuffer.wrap(data).getLong(data.length - 8);
    }

    /** Finds the parent a delta was written against, by version and checksum. */
    @FunctionalInterface
    public interface Parents {
        StoredPolicy parent(String name, long version, long crc) throws SnapshotStoreException;

        /** For a snapshot read alone: a delta is refused. */
        Parents NONE = (name, version, crc) -> {
            throw new UnreadableSnapshotException("snapshot of " + name + " is a delta of version " + version
                    + ", which is not at hand");
        };
    }

    /** A snapshot that stands alone (a delta is refused: it needs {@link #decode(byte[], Parents)}). */
    public static StoredPolicy decode(byte[] data) throws SnapshotStoreException {
        return decode(data, Parents.NONE);
    }

    /** What the header says: enough to tell a delta and its parent without reading the rest. */
    record Header(int format, String name, long incarnation, PolicyConfig config, long version, long createdAt,
                  long savedAt, double meanEntropy, long updates, double baseline, long baselineBatches,
                  double lambda, long parentVersion, long parentCrc) {
        boolean delta() {
            return format == DELTA_FORMAT;
        }
    }

    /** The header of a snapshot, checksum verified. */
    static Header header(byte[] data) throws SnapshotStoreException {
        try {
            return readHeader(verified(data));
        } catch (IOException | RuntimeException e) {
            throw new UnreadableSnapshotException("cannot decode snapshot: " + e.getMessage(), e);
        }
    }

    private static DataInputStream verified(byte[] data) throws UnreadableSnapshotException {
        if (data.length < 16) {
            throw new UnreadableSnapshotException("snapshot too short: " + data.length + " bytes");
        }
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length - 8);
        if (crc.getValue() != checksum(data)) {
            throw new UnreadableSnapshotException("snapshot checksum mismatch: the data is corrupted");
        }
        return new DataInputStream(new ByteArrayInputStream(data, 0, data.length - 8));
    }

    private static Header readHeader(DataInputStream in) throws IOException, SnapshotStoreException {
        if (in.readInt() != MAGIC) {
            throw new UnreadableSnapshotException("not a policy snapshot");
        }
        int format = in.readInt();
        if (format != FORMAT && format != 2 && format != HASHED_FORMAT && format != DELTA_FORMAT) {
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
        if (config.hashed() != (format == HASHED_FORMAT || format == DELTA_FORMAT)) {
            throw new UnreadableSnapshotException("snapshot format " + format + " does not fit its config");
        }
        long parentVersion = -1;
        long parentCrc = 0;
        if (format == DELTA_FORMAT) {
            parentVersion = in.readLong();
            parentCrc = in.readLong();
            if (parentVersion < 0 || parentVersion >= version) {
                throw new UnreadableSnapshotException("snapshot " + version + " is a delta of a later version "
                        + parentVersion);
            }
        }
        return new Header(format, name, incarnation, config, version, createdAt, savedAt, entropy, updates, baseline,
                baselineBatches, lambda, parentVersion, parentCrc);
    }

    /** A snapshot whole, or a delta laid over its parent, which {@code parents} finds. */
    public static StoredPolicy decode(byte[] data, Parents parents) throws SnapshotStoreException {
        DataInputStream in = verified(data);
        Header h;
        try {
            h = readHeader(in);
        } catch (IOException | RuntimeException e) {
            throw new UnreadableSnapshotException("cannot decode snapshot: " + e.getMessage(), e);
        }
        StoredPolicy parent = null;
        if (h.delta()) {
            parent = parents.parent(h.name(), h.parentVersion(), h.parentCrc());
            if (parent.version() != h.parentVersion() || parent.incarnation() != h.incarnation()
                    || !parent.config().equals(h.config())) {
                throw new UnreadableSnapshotException("snapshot " + h.version() + " of " + h.name()
                        + " does not fit the parent it names");
            }
        }
        try {
            PolicyConfig config = h.config();
            double[] params;
            double[] optimizer;
            float[][] rows = null;
            if (h.format() == HASHED_FORMAT || h.delta()) {
                double[][] head = HashedRows.readHead(in, config);
                params = head[0];
                optimizer = head[1];
                rows = HashedRows.read(in, config, parent == null ? null : parent.learner().changedRows());
            } else {
                params = readDoubles(in);
                optimizer = readDoubles(in);
                if (params.length != config.parameterCount() || optimizer.length != 2 * params.length) {
                    throw new UnreadableSnapshotException("snapshot weights do not fit its config");
                }
            }
            int previousCount = in.readInt();
            if (previousCount < 0 || previousCount > config.regularizer().previousCount()) {
                throw new UnreadableSnapshotException("snapshot holds " + previousCount + " earlier policies, its config "
                        + config.regularizer().previousCount());
            }
            List<float[]> previous = new ArrayList<>();
            for (int i = 0; i < previousCount; i++) {
                float[] earlier = readFloats(in);
                if (earlier.length != config.parameterCount()) {
                    throw new UnreadableSnapshotException("an earlier policy in the snapshot does not fit its config");
                }
                previous.add(earlier);
            }
            float[] scales = null;
            if (rows != null) {
                scales = HashedRows.readScales(in, config.tableRows(),
                        parent == null ? null : parent.learner().featureScales());
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
            List<JoinState.Orphan> orphans = new ArrayList<>();
            int orphanCount = in.available() > 0 ? in.readInt() : 0;
            for (int i = 0; i < orphanCount; i++) {
                orphans.add(new JoinState.Orphan(in.readLong(), readString(in), in.readDouble(), in.readLong(),
                        in.readLong()));
            }
            int awaitingCount = in.available() > 0 ? in.readInt() : 0;
            if (awaitingCount < 0 || awaitingCount > pendingCount) {
                throw new UnreadableSnapshotException("snapshot holds " + awaitingCount + " decisions awaiting "
                        + "activation of " + pendingCount + " pending");
            }
            java.util.Set<Long> awaiting = new java.util.HashSet<>();
            for (int i = 0; i < awaitingCount; i++) {
                awaiting.add(in.readLong());
            }
            if (!awaiting.isEmpty()) {
                pending.replaceAll(p -> awaiting.contains(p.offset())
                        ? new JoinState.Pending(p.offset(), p.rewards(), p.sum(), p.max(), false) : p);
            }
            LearnerState learner = new LearnerState(params, optimizer, h.updates(), h.baseline(), h.baselineBatches(),
                    h.lambda(), previous, scales, rows);
            return new StoredPolicy(h.name(), h.incarnation(), config, h.version(), h.createdAt(), h.savedAt(),
                    h.meanEntropy(), learner, positions, new JoinState(pending, batch, orphans));
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
