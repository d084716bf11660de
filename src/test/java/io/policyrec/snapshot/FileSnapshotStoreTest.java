package io.policyrec.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store refuses a learner's late write for a replaced or deleted incarnation, as Redis does. */
class FileSnapshotStoreTest {
    @TempDir
    Path dir;

    static StoredPolicy of(long incarnation, long version) {
        StoredPolicy s = SnapshotCodecTest.stored(java.util.List.of());
        return new StoredPolicy(s.name(), incarnation, s.config(), version, 0, 0, 0.5, s.learner(), s.positions(),
                s.join());
    }

    @Test
    void aLateLearnerWriteNeitherUndoesAReplaceNorRevivesADeletedPolicy() throws Exception {
        FileSnapshotStore store = new FileSnapshotStore(dir);
        store.save(of(1, 1));
        assertTrue(store.saveLearned(of(1, 2)));
        store.save(of(2, 0));
        assertFalse(store.saveLearned(of(1, 3)));
        assertEquals(2, store.latest("p").orElseThrow().incarnation());
        store.delete("p");
        assertFalse(store.saveLearned(of(2, 1)));
        assertTrue(store.latest("p").isEmpty());
        store.save(of(3, 0));
        assertTrue(store.saveLearned(of(3, 1)), "a new incarnation learns and saves as usual");
    }

    @Test
    void aStoreOpenedOnTheFolderKnowsTheIncarnationOnDisk() throws Exception {
        FileSnapshotStore first = new FileSnapshotStore(dir);
        first.save(of(1, 1));
        first.save(of(2, 0));
        // Another store over the same folder (a restart) has written nothing: it reads the newest one.
        FileSnapshotStore restarted = new FileSnapshotStore(dir);
        assertFalse(restarted.saveLearned(of(1, 2)), "the replaced incarnation stays replaced after a restart");
        assertTrue(restarted.saveLearned(of(2, 1)));
        assertEquals(java.util.List.of(1L, 0L), restarted.versions("p").stream().map(SnapshotInfo::version).toList());
        restarted.save(of(3, 0));
        assertEquals(java.util.List.of(0L), restarted.versions("p").stream().map(SnapshotInfo::version).toList(),
                "a new incarnation's first save clears the folder of the one before");
        assertFalse(restarted.saveLearned(of(2, 2)));
    }
}
