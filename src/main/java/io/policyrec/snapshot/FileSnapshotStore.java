package io.policyrec.snapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The embedded store: a folder per policy holding its last versions ({@code <version>.snap}) and a
 * {@code LATEST} file naming the current one. A save writes the version file, then moves the pointer
 * over the old one atomically, so a crash leaves the old latest or the new one, never half of one.
 */
public final class FileSnapshotStore implements SnapshotStore {
    private static final Logger LOG = Logger.getLogger(FileSnapshotStore.class);
    private static final String LATEST = "LATEST";
    private static final String SUFFIX = ".snap";
    private final Path dir;
    private final int retain;
    /** Incarnations deleted since start-up ("name incarnation"): a late learner write must not revive them. */
    private final java.util.Set<String> deleted = new java.util.HashSet<>();
    /**
     * The incarnation of each policy's newest snapshot here, as this store wrote or read it: a save
     * checks it without reading and decoding the newest snapshot whole (a ~640 KB read per save of
     * a dense policy, past G1's humongous size at a 3 GB heap). This store is a folder of one
     * instance: nothing else writes it.
     */
    private final java.util.Map<String, Long> incarnations = new java.util.HashMap<>();
    private long written;

    public FileSnapshotStore(Path dir, int retain) {
        this.dir = dir;
        this.retain = Math.max(1, retain);
    }

    public FileSnapshotStore(Path dir) {
        this(dir, 20);
    }

    public Path dir() {
        return dir;
    }

    @Override
    public synchronized boolean saveLearned(StoredPolicy snapshot) throws SnapshotStoreException {
        Long latest = latestIncarnation(snapshot.name());
        if (latest != null && latest != snapshot.incarnation()
                || deleted.contains(snapshot.name() + " " + snapshot.incarnation())) {
            return false;
        }
        save(snapshot, latest);
        return true;
    }

    @Override
    public synchronized void save(StoredPolicy snapshot) throws SnapshotStoreException {
        save(snapshot, latestIncarnation(snapshot.name()));
    }

    /** The incarnation of a policy's newest snapshot, or null when it has none. */
    private Long latestIncarnation(String name) throws SnapshotStoreException {
        Long known = incarnations.get(name);
        if (known == null) {
            latest(name); // remembers it
            known = incarnations.get(name);
        }
        return known;
    }

    /** {@code latest} is the incarnation of the policy's newest snapshot, or null. */
    private void save(StoredPolicy snapshot, Long latest) throws SnapshotStoreException {
        try {
            Path policy = dir.resolve(snapshot.name());
            if (latest != null && latest != snapshot.incarnation()) {
                incarnations.remove(snapshot.name());
                deleteFolder(policy);
            }
            Files.createDirectories(policy);
            Path file = policy.resolve(snapshot.version() + SUFFIX);
            written += SnapshotCodec.encode(snapshot, (bytes, length) -> write(file, bytes, length));
            write(policy.resolve(LATEST), Long.toString(snapshot.version()).getBytes(StandardCharsets.UTF_8));
            incarnations.put(snapshot.name(), snapshot.incarnation());
            List<Long> versions = versionNumbers(policy);
            for (int i = retain; i < versions.size(); i++) {
                Files.deleteIfExists(policy.resolve(versions.get(i) + SUFFIX));
            }
        } catch (IOException e) {
            throw new SnapshotStoreException("cannot write snapshot of " + snapshot.name() + " to " + dir, e);
        }
    }

    @Override
    public synchronized List<StoredPolicy> loadAll(boolean skipUnreadable) throws SnapshotStoreException {
        List<StoredPolicy> all = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return all;
        }
        try (DirectoryStream<Path> policies = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path p : policies) {
                try {
                    latest(p.getFileName().toString()).ifPresent(all::add);
                } catch (SnapshotStoreException e) {
                    if (!skipUnreadable && !(e instanceof UnreadableSnapshotException)) {
                        throw e;
                    }
                    LOG.errorf("Skipping unreadable snapshot of %s: %s", p.getFileName(), e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new SnapshotStoreException("cannot list snapshots in " + dir, e);
        }
        return all;
    }

    @Override
    public synchronized Optional<StoredPolicy> latest(String name) throws SnapshotStoreException {
        Path pointer = dir.resolve(name).resolve(LATEST);
        try {
            if (!Files.exists(pointer)) {
                return Optional.empty();
            }
            Optional<StoredPolicy> latest = version(name, Long.parseLong(Files.readString(pointer).trim()));
            latest.ifPresent(s -> incarnations.put(name, s.incarnation()));
            return latest;
        } catch (IOException | NumberFormatException e) {
            throw new SnapshotStoreException("cannot read snapshot of " + name, e);
        }
    }

    /** This store writes every snapshot whole (one instance, a local disk): each version reads alone. */
    @Override
    public synchronized Optional<StoredPolicy> version(String name, long version) throws SnapshotStoreException {
        Optional<byte[]> raw = raw(name, version);
        return raw.isEmpty() ? Optional.empty() : Optional.of(SnapshotCodec.decode(raw.get()));
    }

    @Override
    public synchronized Optional<byte[]> raw(String name, long version) throws SnapshotStoreException {
        Path f = dir.resolve(name).resolve(version + SUFFIX);
        try {
            return Files.exists(f) ? Optional.of(Files.readAllBytes(f)) : Optional.empty();
        } catch (IOException e) {
            throw new SnapshotStoreException("cannot read snapshot " + version + " of " + name, e);
        }
    }

    @Override
    public synchronized List<SnapshotInfo> versions(String name) throws SnapshotStoreException {
        List<SnapshotInfo> out = new ArrayList<>();
        Path policy = dir.resolve(name);
        if (!Files.isDirectory(policy)) {
            return out;
        }
        try {
            for (long v : versionNumbers(policy)) {
                out.add(SnapshotInfo.of(SnapshotCodec.decode(Files.readAllBytes(policy.resolve(v + SUFFIX)))));
            }
        } catch (IOException e) {
            throw new SnapshotStoreException("cannot list snapshots of " + name, e);
        }
        return out;
    }

    @Override
    public synchronized Optional<StoredPolicy> rollback(String name, long version) throws SnapshotStoreException {
        Path policy = dir.resolve(name);
        Optional<byte[]> raw = raw(name, version);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            write(policy.resolve(LATEST), Long.toString(version).getBytes(StandardCharsets.UTF_8));
            for (long v : versionNumbers(policy)) {
                if (v > version) {
                    Files.deleteIfExists(policy.resolve(v + SUFFIX));
                }
            }
        } catch (IOException e) {
            throw new SnapshotStoreException("cannot roll " + name + " back", e);
        }
        return Optional.of(SnapshotCodec.decode(raw.get()));
    }

    @Override
    public synchronized void delete(String name) throws SnapshotStoreException {
        try {
            Optional<StoredPolicy> latest = latest(name);
            latest.ifPresent(s -> deleted.add(name + " " + s.incarnation()));
            incarnations.remove(name);
            deleteFolder(dir.resolve(name));
        } catch (IOException e) {
            throw new SnapshotStoreException("cannot delete snapshots of " + name, e);
        }
    }

    /** Version numbers of a policy's folder, newest first. */
    private static List<Long> versionNumbers(Path policy) throws IOException {
        List<Long> versions = new ArrayList<>();
        try (Stream<Path> files = Files.list(policy)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX))
                    .forEach(n -> versions.add(Long.parseLong(n.substring(0, n.length() - SUFFIX.length()))));
        }
        versions.sort(Comparator.reverseOrder());
        return versions;
    }

    /** Writes a file whole or not at all: a temporary file beside it, then moved over it (atomically where it can). */
    static void write(Path target, byte[] bytes) throws IOException {
        write(target, bytes, bytes.length);
    }

    /** Writes bytes[0, length) to target whole or not at all (a temporary file, then a move). */
    static void write(Path target, byte[] bytes, int length) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (java.io.OutputStream out = Files.newOutputStream(tmp)) {
            out.write(bytes, 0, length);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteFolder(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(folder);
    }

    @Override
    public synchronized long bytesWritten() {
        return written;
    }

    @Override
    public String kind() {
        return "local";
    }
}
