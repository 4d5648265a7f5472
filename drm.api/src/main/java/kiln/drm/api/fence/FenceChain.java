package kiln.drm.api.fence;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;

/**
 * One point of a timeline ({@code dma_fence_chain}): {@link #fence()} at point {@link #seqno()},
 * after {@link #previous()}. It signals once its fence and every earlier point have signalled;
 * its error is its fence's. Once signalled it drops the link to earlier points (they have all
 * signalled), so a long timeline holds only its unsignalled tail; walking it
 * ({@link #find}) also unlinks earlier points whose own fence has signalled, as
 * {@code dma_fence_chain_walk} does.
 *
 * <p>A point added at or below its predecessor's seqno (out of order) starts a new context with
 * the seqno {@code max(previous seqno, point)}, as {@code dma_fence_chain_init} does. Seqnos are
 * unsigned 64-bit numbers. Signalling a timeline of any length in any order never recurses (see
 * the package documentation).
 */
@ProviderType
public interface FenceChain extends DmaFence {
    /** The fence this point waits for. */
    DmaFence fence();

    /** The previous point, or {@code null} (first point, or everything before has signalled). */
    DmaFence previous();

    /**
     * The kernel's {@code prev_seqno}: the previous point's seqno when this link continues its
     * context, else 0.
     */
    long previousSeqno();

    /**
     * {@code dma_fence_chain_walk}: the point before this one still to wait for — the previous
     * link whose own fence has not signalled, or a pending fence the timeline started from —
     * unlinking the links passed over; {@code null} when nothing before this link is pending.
     */
    DmaFence walk();

    /**
     * {@code dma_fence_chain_find_seqno}: the fence to wait on for timeline point {@code point}:
     * walking back from this link past links whose own fence has signalled, the first link of this
     * context whose predecessor's point is below {@code point} (or the fence before the timeline's
     * first link); {@code null} when everything up to the point has signalled (nothing is left to
     * wait for). Point 0 answers this chain.
     *
     * @return the fence, or {@code null}
     * @throws DrmException EINVAL if {@code point} is beyond this chain's seqno
     */
    DmaFence find(long point) throws DrmException;
}
