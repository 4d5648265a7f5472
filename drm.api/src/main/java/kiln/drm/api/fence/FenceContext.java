package kiln.drm.api.fence;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A timeline of fences ({@code dma_fence_context_alloc} plus a seqno counter): {@link #next()}
 * hands out fences with increasing seqnos, the first being 0 as in the RFC's
 * {@code FenceContexts}. The producer must signal them in seqno order. Thread-safe.
 */
@ProviderType
public interface FenceContext {
    /** The context id, unique in the framework. */
    long id();

    String driverName();

    String timelineName();

    /** A new unsignalled fence with the next seqno. */
    SignalableFence next();

    /** The seqno the next fence will get. */
    long nextSeqno();
}
