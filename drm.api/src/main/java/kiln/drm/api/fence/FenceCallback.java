package kiln.drm.api.fence;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs once when a fence signals ({@code dma_fence_func_t}), on the signalling thread. Must be
 * short and must not block; see the {@linkplain kiln.drm.api.fence package contract}.
 */
@ConsumerType
@FunctionalInterface
public interface FenceCallback {
    void signaled(DmaFence fence);
}
