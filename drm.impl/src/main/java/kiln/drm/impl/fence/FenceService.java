package kiln.drm.impl.fence;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.fence.DmaFence;
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
    public DmaFence array(List<? extends DmaFence> fences, boolean signalOnAny) {
        return new FenceArray(Timeline.allocate("kiln", signalOnAny ? "array-any" : "array-all"), fences, signalOnAny);
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
