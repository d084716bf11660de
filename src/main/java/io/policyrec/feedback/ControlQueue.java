package io.policyrec.feedback;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * Work handed to a learner's own thread (admin calls: adopt, forget, follow) so that it never
 * races with learning; before that thread runs, or after it stopped, the caller runs it at once.
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

    void execute(Runnable task) {
        submit(() -> {
            task.run();
            return null;
        });
    }

    /** On the owner's thread, between records. */
    void runPending() {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            r.run();
        }
    }
}
