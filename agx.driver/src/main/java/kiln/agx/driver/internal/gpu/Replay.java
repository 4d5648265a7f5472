package kiln.agx.driver.internal.gpu;

import kiln.drm.api.DrmException;

/**
 * How to build one user command's firmware work again: what a live swap replays on the new
 * firmware when the old one had not started it. Every {@link WorkQueue.Command} the command
 * queued (its barriers, a TVB {@code InitBuffer}, the run commands) carries the same replay.
 *
 * <h2>Contract</h2>
 * {@link #rebuild} builds the same entries, in the GPU's current ABI, with the same event values
 * and the same completion callbacks as the first build, and hands each to {@code into} in ring
 * order; its side effects on driver state (a TVB's growth) happen once, at the first build. The
 * swap calls it only for commands none of whose parts started or finished, in {@link #order},
 * under the exclusive firmware section; the old objects were freed before.
 */
public interface Replay {
    /** Where rebuilt entries go: appended to their work queue's list, in order. */
    @FunctionalInterface
    interface Sink {
        void add(WorkQueue queue, WorkQueue.Command command);
    }

    /**
     * Ascending in the order the commands were queued, for commands that share a work queue (their
     * user queue's command counter); unrelated commands may compare either way.
     */
    long order();

    /**
     * When its job was submitted ({@link System#nanoTime}): held with no firmware to run it, it
     * fails once it has waited the device's no-firmware deadline from then, as queued jobs do.
     */
    long submittedNanos();

    /** How many completing entries (with a callback) the command queued: 1, or 2 for a render. */
    int completions();

    /** Builds the command's entries again (see the contract). */
    void rebuild(Sink into) throws DrmException;
}
