package io.policyrec.snapshot;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The embedded store: one file per policy in a local folder, holding its latest snapshot. A save
 * writes a temporary file and moves it over the old one atomically, so a crash leaves either the
 * old snapshot or the new one, never half of one.
 */
public final class FileSnapshotStore implements SnapshotStore {
    private static final Logger LOG = Logger.getLogger(FileSnapshotStore.class);
    private static final String SUFFIX = ".policy";
    private final Path dir;

    public FileSnapshotStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public synchronized void save(StoredPolicy snapshot) throws SnapshotStoreException {
        try {
            Files.createDirectories(dir);
            Path target = file(snapshot.name());
            Path tmp = dir.resolve(snapshot.name() + SUFFIX + ".tmp");
            Files.write(tmp, SnapshotCodec.encode(snapshot));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new SnapshotStoreException("cannot write snapshot of " + snapshot.name() + " to " + dir, e);
        }
    }

    @Override
    public synchronized List<StoredPolicy> loadAll() throws SnapshotStoreException {
        List<StoredPolicy> all = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return all;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                try {
                    all.add(SnapshotCodec.decode(Files.readAllBytes(f)));
                } catch (SnapshotStoreException e) {
                    LOG.errorf("Skipping unreadable snapshot %s: %s", f, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new SnapshotStoreException("cannot list snapshots in " + dir, e);
        }
        return all;
    }

    @Override
    public synchronized Optional<StoredPolicy> latest(String name) throws SnapshotStoreException {
        Path f = file(name);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(SnapshotCodec.decode(Files.readAllBytes(f)));
        } catch (IOException e) {
            throw new SnapshotStoreException("cannot read snapshot of " + name, e);
        }
    }

    @Override
    public synchronized void delete(String name) throws SnapshotStoreException {
        try {
            Files.deleteIfExists(file(name));
        } catch (IOException e) {
            throw new SnapshotStoreException("cannot delete snapshot of " + name, e);
        }
    }

    private Path file(String name) {
        return dir.resolve(name + SUFFIX);
    }
}
