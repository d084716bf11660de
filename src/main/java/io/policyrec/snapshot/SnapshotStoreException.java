package io.policyrec.snapshot;

/** A snapshot could not be read or written. */
public class SnapshotStoreException extends Exception {
    public SnapshotStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public SnapshotStoreException(String message) {
        super(message);
    }
}
