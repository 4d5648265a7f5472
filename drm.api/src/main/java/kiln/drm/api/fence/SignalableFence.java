package kiln.drm.api.fence;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;

/** The producer's view of a fence: it alone sets the error and signals. */
@ProviderType
public interface SignalableFence extends DmaFence {
    /**
     * Records the error the work failed with ({@code dma_fence_set_error}); call before
     * {@link #signal()}.
     *
     * @throws IllegalStateException if the fence has already signalled (a driver bug)
     */
    void setError(Errno error);

    /**
     * Signals the fence and runs its callbacks.
     *
     * @throws DrmException EINVAL if it had already signalled (nothing runs again)
     */
    void signal() throws DrmException;

    /** {@code setError(error)} then {@code signal()}. */
    default void signal(Errno error) throws DrmException {
        if (error != null) {
            if (isSignaled()) {
                throw new DrmException(Errno.EINVAL, "fence " + context() + ":" + seqno() + " already signaled");
            }
            setError(error);
        }
        signal();
    }
}
