package io.policyrec.snapshot;

/** The bytes of a snapshot are not a valid snapshot: reading them again cannot help. */
public class UnreadableSnapshotException extends SnapshotStoreException {
    public UnreadableSnapshotException(String message, Throwable cause) {
        super(message, cause);
    }

    public UnreadableSnapshotException(String message) {
        super(message);
    }
}
