package kiln.drm.impl.fence;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import kiln.drm.api.fence.DmaFence;

/** {@code dma_fence_array}: signals after all (or the first) of its fences, with the first error. */
final class FenceArray extends Fence {
    private final List<DmaFence> fences;

    FenceArray(Timeline timeline, List<? extends DmaFence> fences, boolean signalOnAny) {
        super(timeline, 0);
        this.fences = List.copyOf(fences);
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
            trySignal();
        }
    }

    List<DmaFence> fences() {
        return fences;
    }
}
