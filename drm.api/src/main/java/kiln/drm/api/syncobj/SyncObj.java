package kiln.drm.api.syncobj;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;
import kiln.drm.api.fence.DmaFence;

/** A syncobj; see the {@linkplain kiln.drm.api.syncobj package rules}. */
@ProviderType
public interface SyncObj {
    /** The current fence: the binary fence or the timeline's newest point; {@code null} if none. */
    DmaFence fence();

    /** Binary signal/reset ({@code drm_syncobj_replace_fence}); {@code null} clears. */
    void replaceFence(DmaFence fence);

    /**
     * Timeline signal ({@code drm_syncobj_add_point}): {@code fence} becomes point {@code point},
     * an unsigned 64-bit number as in the kernel (a negative {@code long} is a point from 2^63 up).
     * A point at or below the last one (0 included) is a link of a new context at the last point
     * ({@code dma_fence_chain_init}), so the timeline's point does not go back.
     *
     * @throws DrmException EINVAL without a fence
     */
    void addPoint(DmaFence fence, long point) throws DrmException;

    /**
     * The fence for a point ({@code drm_syncobj_find_fence} without waiting): point 0 is the
     * current fence; a later point is the chain link covering it
     * ({@link kiln.drm.api.fence.FenceChain#find}), or a signalled stub when everything up to it
     * has signalled.
     *
     * @throws DrmException EINVAL if there is no fence, the point is not submitted yet, or a point
     *                      above 0 is asked of a fence that is not a timeline
     */
    DmaFence find(long point) throws DrmException;

    /** The highest point that has signalled (0 if none, or for a binary syncobj). */
    long signaledPoint();

    /** The highest point submitted (0 for a binary syncobj). */
    long submittedPoint();

    /**
     * Runs {@code listener} once, the next time a fence is attached (replace or add point); used by
     * WAIT_FOR_SUBMIT.
     */
    void onSubmit(Runnable listener);

    /** Withdraws a listener registered with {@link #onSubmit}. */
    void removeOnSubmit(Runnable listener);
}
