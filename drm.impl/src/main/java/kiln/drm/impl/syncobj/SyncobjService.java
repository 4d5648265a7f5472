package kiln.drm.impl.syncobj;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.driver.DriverFeature;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceCallback;
import kiln.drm.api.fence.FenceFactory;
import kiln.drm.api.file.DrmFile;
import kiln.drm.api.syncobj.SyncObj;
import kiln.drm.api.syncobj.SyncObjManager;
import kiln.drm.impl.device.DeviceFile;
import kiln.drm.impl.device.DriverFeatures;

/** The syncobj service; the SYNCOBJ ioctls ({@link SyncobjIoctls}) are built on it. */
@Component(service = {SyncObjManager.class, SyncobjService.class})
public final class SyncobjService implements SyncObjManager {
    static final int WAIT_ALL = 1 << 0;
    static final int WAIT_FOR_SUBMIT = 1 << 1;
    static final int WAIT_AVAILABLE = 1 << 2;
    static final int WAIT_DEADLINE = 1 << 3;

    private final FenceFactory fences;

    @Activate
    public SyncobjService(@Reference FenceFactory fences) {
        this.fences = fences;
    }

    FenceFactory fences() {
        return fences;
    }

    @Override
    public SyncObj create(boolean signaled) {
        return new Syncobj(fences, signaled ? fences.signaled() : null);
    }

    @Override
    public int createHandle(DrmFile file, SyncObj syncobj) throws DrmException {
        DriverFeatures.require(file, DriverFeature.SYNCOBJ);
        return handles(file).insert((Syncobj) syncobj);
    }

    @Override
    public Syncobj lookup(DrmFile file, int handle) throws DrmException {
        Syncobj syncobj = handles(file).get(handle);
        if (syncobj == null) {
            throw DrmException.quiet(Errno.ENOENT, "no syncobj handle " + handle);
        }
        return syncobj;
    }

    @Override
    public void destroy(DrmFile file, int handle) throws DrmException {
        if (handles(file).remove(handle) == null) {
            throw DrmException.quiet(Errno.EINVAL, "no syncobj handle " + handle);
        }
    }

    private static SyncobjHandles handles(DrmFile file) {
        return ((DeviceFile) file).syncobjs;
    }

    /**
     * {@code drm_syncobj_array_wait_timeout}: waits for all (WAIT_ALL) or any of the points, until
     * the absolute monotonic {@code deadline}; parks the calling thread, woken by fence callbacks
     * and submit listeners.
     *
     * @return the index of the first signalled point (ANY), or 0 (ALL)
     * @throws DrmException EINVAL if a point has no fence and WAIT_FOR_SUBMIT is not set; ETIME on
     *                      timeout; ERESTARTSYS if the thread is interrupted
     */
    int await(List<Syncobj> syncobjs, long[] points, int flags, long deadline) throws DrmException {
        boolean all = (flags & WAIT_ALL) != 0;
        boolean forSubmit = (flags & WAIT_FOR_SUBMIT) != 0;
        boolean available = (flags & WAIT_AVAILABLE) != 0;
        int count = syncobjs.size();
        if (!forSubmit) {
            for (int i = 0; i < count; i++) {
                syncobjs.get(i).find(points[i]);
            }
        }
        Thread waiter = Thread.currentThread();
        Runnable wakeOnSubmit = () -> LockSupport.unpark(waiter);
        FenceCallback wakeOnSignal = f -> LockSupport.unpark(waiter);
        for (;;) {
            DmaFence[] current = new DmaFence[count];
            boolean[] reached = new boolean[count];
            int first = -1;
            boolean done = all;
            for (int i = 0; i < count; i++) {
                current[i] = fenceOrNull(syncobjs.get(i), points[i]);
                reached[i] = current[i] != null && (available || current[i].isSignaled());
                if (reached[i] && first < 0) {
                    first = i;
                }
                done = all ? done && reached[i] : done || reached[i];
            }
            if (done) {
                return all ? 0 : first;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw DrmException.quiet(Errno.ETIME, "syncobj wait timed out");
            }
            List<Runnable> undo = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Syncobj s = syncobjs.get(i);
                s.onSubmit(wakeOnSubmit);
                undo.add(() -> s.removeOnSubmit(wakeOnSubmit));
                DmaFence f = current[i];
                if (f != null && f.addCallback(wakeOnSignal)) {
                    undo.add(() -> f.removeCallback(wakeOnSignal));
                }
            }
            try {
                if (!stillWaiting(syncobjs, points, current, reached)) {
                    continue;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    throw new DrmException(Errno.ERESTARTSYS, "syncobj wait interrupted");
                }
            } finally {
                undo.forEach(Runnable::run);
            }
        }
    }

    /**
     * Whether nothing changed between evaluating and registering the wake-ups (no lost wake-up):
     * the same fences, and none of those not yet reached has signalled since. A fence that was
     * already reached (WAIT_ALL with others pending) is no reason to look again, or the waiter
     * would spin instead of sleeping.
     */
    private static boolean stillWaiting(List<Syncobj> syncobjs, long[] points, DmaFence[] seen, boolean[] reached) {
        for (int i = 0; i < seen.length; i++) {
            DmaFence now = fenceOrNull(syncobjs.get(i), points[i]);
            if (now != seen[i] || !reached[i] && now != null && now.isSignaled()) {
                return false;
            }
        }
        return true;
    }

    private static DmaFence fenceOrNull(Syncobj syncobj, long point) {
        try {
            return syncobj.find(point);
        } catch (DrmException notSubmitted) {
            return null;
        }
    }
}
