package kiln.drm.impl.fence;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceArray;
import kiln.drm.api.fence.SignalableFence;
import kiln.drm.api.fence.FenceChain;
import kiln.drm.api.fence.FenceContext;
import kiln.drm.api.fence.FenceFactory;

/** The dma_fence service. Fences outlive the component: they belong to whoever holds them. */
@Component(service = FenceFactory.class)
public final class FenceService implements FenceFactory {
    private static final Fence STUB = new Fence(Timeline.allocate("kiln", "stub"), 0);

    static {
        STUB.trySignal();
    }

    @Override
    public FenceContext createContext(String driverName, String timelineName) {
        return new Context(Timeline.allocate(driverName, timelineName));
    }

    @Override
    public long allocateContexts(int count) {
        return Timeline.allocateIds(count);
    }

    @Override
    public SignalableFence create(long context, long seqno, String driverName, String timelineName) {
        return new Fence(new Timeline(context, driverName, timelineName), seqno);
    }

    @Override
    public FenceArray array(List<? extends DmaFence> fences, boolean signalOnAny) {
        return new ArrayFence(Timeline.allocate("kiln", signalOnAny ? "array-any" : "array-all"), 0, fences, signalOnAny);
    }

    @Override
    public List<DmaFence> unwrap(DmaFence head) {
        List<DmaFence> out = new ArrayList<>();
        for (DmaFence at = head; at != null; at = at instanceof FenceChain link ? link.walk() : null) {
            DmaFence contained = at instanceof FenceChain link ? link.fence() : at;
            if (contained instanceof FenceArray array) {
                out.addAll(array.fences());
            } else {
                out.add(contained);
            }
        }
        return out;
    }

    @Override
    public DmaFence unwrapMerge(List<? extends DmaFence> fences) {
        List<DmaFence> pending = new ArrayList<>();
        for (DmaFence f : fences) {
            for (DmaFence leaf : unwrap(f)) {
                if (!leaf.isSignaled()) {
                    pending.add(leaf);
                }
            }
        }
        if (pending.isEmpty()) {
            return STUB;
        }
        if (pending.size() == 1) {
            return pending.get(0);
        }
        // the kernel's fence_cmp: by context, the later seqno first; then one per context
        pending.sort((a, b) -> a.context() != b.context() ? Long.compare(a.context(), b.context())
                : Long.compareUnsigned(b.seqno(), a.seqno()));
        List<DmaFence> newest = new ArrayList<>();
        for (DmaFence f : pending) {
            if (newest.isEmpty() || newest.get(newest.size() - 1).context() != f.context()) {
                newest.add(f);
            }
        }
        return newest.size() == 1 ? newest.get(0) : array(newest, false);
    }

    @Override
    public FenceChain chain(DmaFence previous, DmaFence fence, long point) throws DrmException {
        if (fence == null) {
            throw new DrmException(Errno.EINVAL, "chain point " + Long.toUnsignedString(point) + " of no fence");
        }
        return Chain.create(previous, fence, point);
    }

    @Override
    public DmaFence signaled() {
        return STUB;
    }
}
