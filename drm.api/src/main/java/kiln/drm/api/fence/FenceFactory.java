package kiln.drm.api.fence;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;

/** The dma_fence service: contexts, arrays, chains and the signalled stub. */
@ProviderType
public interface FenceFactory {
    /** Allocates a new fence context. */
    FenceContext createContext(String driverName, String timelineName);

    /**
     * A fence that signals when all of {@code fences} have ({@code signalOnAny} false) or when
     * any has ({@code dma_fence_array_create}); its error is the first error seen. An empty list
     * gives a signalled fence.
     */
    DmaFence array(List<? extends DmaFence> fences, boolean signalOnAny);

    /**
     * A timeline point ({@code dma_fence_chain_init}): {@code fence} at {@code point} after
     * {@code previous} (a chain or {@code null}). The chain continues {@code previous}'s context
     * when it is a chain with a lower seqno, as in the kernel; otherwise it starts a new one.
     * Points and seqnos are unsigned 64-bit numbers, compared as such.
     *
     * @throws DrmException EINVAL without a fence
     */
    FenceChain chain(DmaFence previous, DmaFence fence, long point) throws DrmException;

    /** An already signalled fence ({@code dma_fence_get_stub}). */
    DmaFence signaled();
}
