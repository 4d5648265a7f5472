package kiln.drm.api.fence;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * {@code dma_fence_array}: a fence that signals when all of its fences have (or, with
 * {@link #signalOnAny}, the first), with the first error a member signalled with.
 */
@ProviderType
public interface FenceArray extends DmaFence {
    /** The members, in the order given. */
    List<DmaFence> fences();

    /** Whether the first member to signal signals the array. */
    boolean signalOnAny();
}
