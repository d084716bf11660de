package io.policyrec.feedback;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * Work handed to the learning thread (admin calls: create, delete, roll back, follow) so that it
 * never races with learning; before that thread runs, or after it stopped, the caller runs it at
 * once. Tasks run one at a time, in the order submitted.
 */
final class ControlQueue {
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final BooleanSupplier ownerRunning;

    ControlQueue(BooleanSupplier ownerRunning) {
        this.ownerRunning = ownerRunning;
    }

    <T> CompletableFuture<T> submit(Callable<T> task) {
        CompletableFuture<T> done = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                done.complete(task.call());
            } catch (Exception e) {
                done.completeExceptionally(e);
            }
        });
        if (!ownerRunning.getAsBoolean()) {
            runPending();
        }
        return done;
    }

    /** On the owner's thread, between records (or on a caller's while the owner does not run). */
    synchronized void runPending() {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            r.run();
        }
    }
}
