package io.policyrec.background;

/** A part of the service that runs background work between {@link #start()} and {@link #close()}. */
public interface Background extends AutoCloseable {
    void start();

    /** Stops the work and waits for it (see {@link Worker#STOP_TIMEOUT}). */
    @Override
    void close();
}
