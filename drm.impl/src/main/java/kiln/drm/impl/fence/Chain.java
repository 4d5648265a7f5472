package kiln.drm.impl.fence;

import java.util.concurrent.atomic.AtomicInteger;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceChain;

/** {@code dma_fence_chain}: one timeline point; signals after its fence and its predecessor. */
final class Chain extends Fence implements FenceChain {
    private final DmaFence fence;
    private volatile DmaFence previous;

    Chain(Timeline timeline, DmaFence previous, DmaFence fence, long point) {
        super(timeline, point);
        this.fence = fence;
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
            trySignal();
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
    public DmaFence find(long point) throws DrmException {
        if (Long.compareUnsigned(point, seqno()) > 0) {
            throw new DrmException(Errno.EINVAL, "timeline point " + Long.toUnsignedString(point) + " is beyond "
                    + Long.toUnsignedString(seqno()));
        }
        if (point == 0) {
            return this;
        }
        DmaFence link = this;
        for (;;) {
            DmaFence before = ((Chain) link).previous;
            if (!(before instanceof Chain earlier) || earlier.context() != context()
                    || Long.compareUnsigned(earlier.seqno(), point) < 0) {
                return link;
            }
            link = earlier;
        }
    }
}
