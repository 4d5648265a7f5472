package kiln.drm.api.fence;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.Errno;

/**
 * The observer's view of a fence: state, error, callbacks and waits. The rules are the
 * {@linkplain kiln.drm.api.fence package contract}. Thread-safe.
 */
@ProviderType
public interface DmaFence {
    /** The fence context (timeline) id. */
    long context();

    /** The sequence number within the context. */
    long seqno();

    /** Name of the driver that created the fence ({@code get_driver_name}). */
    String driverName();

    /** Name of the timeline ({@code get_timeline_name}). */
    String timelineName();

    boolean isSignaled();

    /**
     * Whether the fence has signalled and every callback added before that has run (or was
     * removed). A fence signalled from inside another fence's callback has signalled before its
     * own callbacks run (see the package documentation); this tells when they have.
     */
    boolean callbacksDone();

    /** The error the fence signalled (or will signal) with, or {@code null}. */
    Errno error();

    /**
     * {@code dma_fence_get_status}: 0 while pending, 1 once signalled without error, the negative
     * errno once signalled with one.
     */
    default int status() {
        if (!isSignaled()) {
            return 0;
        }
        Errno error = error();
        return error == null ? 1 : -error.code();
    }

    /**
     * Adds a callback to run once when the fence signals.
     *
     * @return true if added; false if the fence has already signalled (the callback is not run)
     */
    boolean addCallback(FenceCallback callback);

    /**
     * Removes a callback that has not run.
     *
     * @return true if it was removed and will never run; false if it ran, runs now or was never added
     */
    boolean removeCallback(FenceCallback callback);

    /**
     * Waits for the fence ({@code dma_fence_wait_timeout}, interruptible).
     *
     * @return the time left in nanoseconds (at least 1) if the fence signalled, 0 on timeout
     * @throws InterruptedException if the waiting thread is interrupted
     */
    long await(long timeout, TimeUnit unit) throws InterruptedException;

    /** Waits without a time limit (interruptible). */
    default void await() throws InterruptedException {
        while (await(Long.MAX_VALUE, TimeUnit.NANOSECONDS) == 0) {
            // a timeout of ~292 years ran out; keep waiting
        }
    }

    /** A stage that completes with this fence when it signals (error or not). */
    default CompletionStage<DmaFence> whenSignaled() {
        CompletableFuture<DmaFence> stage = new CompletableFuture<>();
        if (!addCallback(stage::complete)) {
            stage.complete(this);
        }
        return stage;
    }
}
