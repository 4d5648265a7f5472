package kiln.drm.api.fence;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;

/**
 * One point of a timeline ({@code dma_fence_chain}): {@link #fence()} at point {@link #seqno()},
 * after {@link #previous()}. It signals once its fence and every earlier point have signalled;
 * its error is its fence's. Once signalled it drops the link to earlier points (they have all
 * signalled), so a long timeline holds only its unsignalled tail.
 */
@ProviderType
public interface FenceChain extends DmaFence {
    /** The fence this point waits for. */
    DmaFence fence();

    /** The previous point, or {@code null} (first point, or everything before has signalled). */
    DmaFence previous();

    /**
     * {@code dma_fence_chain_find_seqno}: the fence to wait on for timeline point {@code point}:
     * the earliest link of this chain at or after the point. Point 0 answers this chain.
     *
     * @throws DrmException EINVAL if {@code point} is beyond this chain's seqno
     */
    DmaFence find(long point) throws DrmException;
}
