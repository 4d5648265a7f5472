package kiln.drm.impl.fence;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceChain;

/**
 * {@code dma_fence_chain}: one timeline point; signals after its fence and its predecessor. Its
 * predecessor's signal reaches it through a callback, so a timeline released at once signals
 * link after link from {@link Fence}'s per-thread dispatch queue, never by recursion.
 *
 * <p>{@code previous} is the kernel's {@code prev}: {@link #walk} moves it past earlier links
 * whose own fence has signalled, as {@code dma_fence_chain_walk} garbage-collects them, and once
 * this link has signalled it is dropped (everything before has signalled).
 */
final class Chain extends Fence implements FenceChain {
    private static final VarHandle PREVIOUS;

    static {
        try {
            PREVIOUS = MethodHandles.lookup().findVarHandle(Chain.class, "previous", DmaFence.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final DmaFence fence;
    /** The kernel's {@code prev_seqno}: the previous link's seqno when it shares the context, else 0. */
    private final long previousSeqno;
    @SuppressWarnings("unused") // accessed through PREVIOUS
    private volatile DmaFence previous;

    /**
     * {@code dma_fence_chain_init}: the link continues {@code previous}'s context when that is a
     * link with a lower seqno (unsigned); otherwise it starts a context of its own, with the seqno
     * {@code max(previous seqno, point)} if {@code previous} is a link.
     */
    static Chain create(DmaFence previous, DmaFence fence, long point) {
        if (previous instanceof Chain prior && Long.compareUnsigned(point, prior.seqno()) > 0) {
            return new Chain(prior.timeline(), previous, fence, point, prior.seqno());
        }
        long seqno = previous instanceof Chain prior && Long.compareUnsigned(prior.seqno(), point) > 0 ? prior.seqno() : point;
        return new Chain(Timeline.allocate("kiln", "chain"), previous, fence, seqno, 0);
    }

    private Chain(Timeline timeline, DmaFence previous, DmaFence fence, long seqno, long previousSeqno) {
        super(timeline, seqno);
        this.fence = fence;
        this.previousSeqno = previousSeqno;
        this.previous = previous;
        AtomicInteger pending = new AtomicInteger(previous == null ? 1 : 2);
        if (!fence.addCallback(f -> partSignaled(pending))) {
            partSignaled(pending);
        }
        if (previous != null && !previous.addCallback(f -> partSignaled(pending))) {
            partSignaled(pending);
        }
    }

    private void partSignaled(AtomicInteger pending) {
        if (pending.decrementAndGet() == 0) {
            if (fence.error() != null) {
                setErrorOnce(fence.error());
            }
            previous = null;
            trySignalQueued();
        }
    }

    @Override
    public DmaFence fence() {
        return fence;
    }

    @Override
    public DmaFence previous() {
        return previous;
    }

    @Override
    public long previousSeqno() {
        return previousSeqno;
    }

    @Override
    public DmaFence walk() {
        for (;;) {
            DmaFence prev = previous;
            if (prev == null) {
                return null;
            }
            DmaFence replacement;
            if (prev instanceof Chain link) {
                if (!link.fence.isSignaled()) {
                    return prev;
                }
                replacement = link.previous;
            } else {
                if (!prev.isSignaled()) {
                    return prev;
                }
                replacement = null;
            }
            PREVIOUS.compareAndSet(this, prev, replacement);
        }
    }

    /**
     * {@code dma_fence_chain_find_seqno}: from this link, walking as {@code dma_fence_chain_for_each}
     * does (past links whose own fence has signalled), the first link of this context whose
     * predecessor's seqno is below {@code point}; null when nothing up to the point is left to wait
     * for. Point 0 answers this link.
     */
    @Override
    public DmaFence find(long point) throws DrmException {
        if (point == 0) {
            return this;
        }
        if (Long.compareUnsigned(seqno(), point) < 0) {
            throw new DrmException(Errno.EINVAL, "timeline point " + Long.toUnsignedString(point) + " is beyond "
                    + Long.toUnsignedString(seqno()));
        }
        DmaFence at = this;
        while (at instanceof Chain link && link.context() == context()
                && Long.compareUnsigned(link.previousSeqno, point) >= 0) {
            at = link.walk();
        }
        return at;
    }
}
