package kiln.drm.impl.syncobj;

import java.util.concurrent.CopyOnWriteArrayList;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceChain;
import kiln.drm.api.fence.FenceFactory;
import kiln.drm.api.syncobj.SyncObj;

/** A syncobj: the current fence behind a monitor, and the WAIT_FOR_SUBMIT listeners. */
final class Syncobj implements SyncObj {
    private final FenceFactory fences;
    private final CopyOnWriteArrayList<Runnable> submitListeners = new CopyOnWriteArrayList<>();
    private DmaFence fence;

    Syncobj(FenceFactory fences, DmaFence initial) {
        this.fences = fences;
        this.fence = initial;
    }

    @Override
    public synchronized DmaFence fence() {
        return fence;
    }

    @Override
    public void replaceFence(DmaFence replacement) {
        synchronized (this) {
            fence = replacement;
        }
        if (replacement != null) {
            submitted();
        }
    }

    @Override
    public void addPoint(DmaFence pointFence, long point) throws DrmException {
        if (pointFence == null) {
            throw new DrmException(Errno.EINVAL, "timeline point " + Long.toUnsignedString(point) + " without a fence");
        }
        synchronized (this) {
            fence = fences.chain(fence, pointFence, point);
        }
        submitted();
    }

    private void submitted() {
        for (Runnable listener : submitListeners) {
            if (submitListeners.remove(listener)) {
                listener.run();
            }
        }
    }

    @Override
    public DmaFence find(long point) throws DrmException {
        DmaFence current = fence();
        if (current == null) {
            throw DrmException.quiet(Errno.EINVAL, "syncobj has no fence");
        }
        if (point == 0) {
            return current;
        }
        if (!(current instanceof FenceChain chain)) {
            // dma_fence_chain_find_seqno: a plain fence has no points
            throw DrmException.quiet(Errno.EINVAL, "point " + Long.toUnsignedString(point) + " of a syncobj without a timeline");
        }
        if (Long.compareUnsigned(point, chain.seqno()) > 0) {
            throw DrmException.quiet(Errno.EINVAL, "point " + Long.toUnsignedString(point) + " not submitted (last "
                    + Long.toUnsignedString(chain.seqno()) + ")");
        }
        DmaFence link = chain.find(point);
        // drm_syncobj_find_fence: everything up to the point has signalled; the stub says so
        return link != null ? link : fences.signaled();
    }

    /**
     * {@code drm_syncobj_query_ioctl}: from the newest point, walk back over this context's links
     * ({@code dma_fence_chain_for_each}, which passes links whose own fence has signalled) to the
     * oldest still linked; its seqno if it has signalled, else its predecessor's.
     */
    @Override
    public long signaledPoint() {
        if (!(fence() instanceof FenceChain head)) {
            return 0;
        }
        FenceChain last = head;
        for (DmaFence at = head.walk(); at instanceof FenceChain link && link.context() == head.context(); at = link.walk()) {
            last = link;
        }
        return last.isSignaled() ? last.seqno() : last.previousSeqno();
    }

    @Override
    public long submittedPoint() {
        return fence() instanceof FenceChain chain ? chain.seqno() : 0;
    }

    @Override
    public void onSubmit(Runnable listener) {
        submitListeners.add(listener);
    }

    @Override
    public void removeOnSubmit(Runnable listener) {
        submitListeners.remove(listener);
    }
}
