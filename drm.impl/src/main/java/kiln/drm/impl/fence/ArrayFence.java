package kiln.drm.impl.fence;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceArray;

/** {@code dma_fence_array}: signals after all (or the first) of its fences, with the first error. */
final class ArrayFence extends Fence implements FenceArray {
    private final List<DmaFence> fences;
    private final boolean signalOnAny;

    ArrayFence(Timeline timeline, long seqno, List<? extends DmaFence> fences, boolean signalOnAny) {
        super(timeline, seqno);
        this.fences = List.copyOf(fences);
        this.signalOnAny = signalOnAny;
        AtomicInteger pending = new AtomicInteger(signalOnAny ? Math.min(1, this.fences.size()) : this.fences.size());
        if (pending.get() == 0) {
            trySignal();
            return;
        }
        for (DmaFence fence : this.fences) {
            if (!fence.addCallback(f -> memberSignaled(f, pending))) {
                memberSignaled(fence, pending);
            }
        }
    }

    private void memberSignaled(DmaFence member, AtomicInteger pending) {
        if (member.error() != null) {
            setErrorOnce(member.error());
        }
        if (pending.decrementAndGet() == 0) {
            trySignalQueued();
        }
    }

    @Override
    public List<DmaFence> fences() {
        return fences;
    }

    @Override
    public boolean signalOnAny() {
        return signalOnAny;
    }
}
