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
     * {@code dma_fence_context_alloc}: {@code count} consecutive new context ids; the first.
     *
     * @throws IllegalArgumentException if {@code count} is below 1
     */
    long allocateContexts(int count);

    /**
     * {@code dma_fence_init}: a new pending fence of context {@code context} (from
     * {@link #allocateContexts}) at {@code seqno}, for producers that number their fences
     * themselves. Fences of one context must still signal in seqno order.
     */
    SignalableFence create(long context, long seqno, String driverName, String timelineName);

    /**
     * A fence that signals when all of {@code fences} have ({@code signalOnAny} false) or when
     * any has ({@code dma_fence_array_create}); its error is the first error seen. An empty list
     * gives a signalled fence. The array has a context of its own.
     */
    FenceArray array(List<? extends DmaFence> fences, boolean signalOnAny);

    /**
     * {@code dma_fence_unwrap_for_each}: the fences {@code head} stands for. A chain gives the
     * fence of each of its links, newest first, walking as {@code dma_fence_chain_walk} does (past
     * links whose fence has signalled, which it unlinks); an array, found alone or in a link,
     * gives its members; any other fence gives itself.
     */
    List<DmaFence> unwrap(DmaFence head);

    /**
     * {@code dma_fence_unwrap_merge}: one fence for all of {@code fences}, unwrapped: the stub if
     * none is pending, the one pending fence if there is one, else a new array (signal on all) of
     * the pending fences, the newest of each context only, in context order.
     */
    DmaFence unwrapMerge(List<? extends DmaFence> fences);

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
