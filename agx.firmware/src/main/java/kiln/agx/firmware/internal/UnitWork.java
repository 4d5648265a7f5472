package kiln.agx.firmware.internal;

import java.util.concurrent.CompletableFuture;

/**
 * Unit work a Start op launched: possibly several unit jobs in sequence (launches of a compute
 * encoder, draws and partial renders of a vertex pass). {@link #cancel} stops the one running
 * and starts no more. Completion raises the ASC interrupt so the firmware loop looks at it.
 */
final class UnitWork {
    final CompletableFuture<UnitOutcome> outcome = new CompletableFuture<>();
    private volatile CompletableFuture<?> running;
    private volatile boolean cancelled;
    final long startedNanos = System.nanoTime();

    /** Tracks the unit job now running; false if the work was cancelled meanwhile. */
    boolean running(CompletableFuture<?> job) {
        running = job;
        if (cancelled) {
            job.cancel(true);
            return false;
        }
        return true;
    }

    boolean cancelled() {
        return cancelled;
    }

    void cancel() {
        cancelled = true;
        CompletableFuture<?> job = running;
        if (job != null) {
            job.cancel(true);
        }
    }
}
