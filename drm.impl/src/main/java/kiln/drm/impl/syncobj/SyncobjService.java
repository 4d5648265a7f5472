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

    /** {@code open("/dev/sw_sync")}: a new timeline, named after the opener as the kernel names it ({@code comm}). */
    public kiln.drm.impl.client.FileDescription openSwSync(String name) {
        return new SwSync(fences, name);
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
     * <p>Each entry takes its fence once: at the start, or — with WAIT_FOR_SUBMIT or
     * WAIT_AVAILABLE, for a point that has none yet — the first that appears for it. A reset or
     * a new fence on the syncobj later does not change what the entry waits on. With
     * WAIT_AVAILABLE an entry is reached once it has a fence, signalled or not.
     *
     * @return the index of the first entry reached (ANY); with WAIT_ALL, the first entry already
     *         signalled when the wait began, or -1 (the kernel's {@code ~0}) if none was
     * @throws DrmException EINVAL if a point has no fence and neither WAIT_FOR_SUBMIT nor
     *                      WAIT_AVAILABLE is set; ETIME on timeout; ERESTARTSYS if the thread is
     *                      interrupted
     */
    int await(List<Syncobj> syncobjs, long[] points, int flags, long deadline) throws DrmException {
        boolean all = (flags & WAIT_ALL) != 0;
        boolean available = (flags & WAIT_AVAILABLE) != 0;
        boolean lenient = available || (flags & WAIT_FOR_SUBMIT) != 0;
        int count = syncobjs.size();
        DmaFence[] entries = new DmaFence[count];
        int first = -1;
        int reached = 0;
        for (int i = 0; i < count; i++) {
            entries[i] = fenceOrNull(syncobjs.get(i), points[i]);
            if (entries[i] == null) {
                if (!lenient) {
                    syncobjs.get(i).find(points[i]); // its EINVAL, with its reason
                }
                continue;
            }
            if (available || entries[i].isSignaled()) {
                first = first < 0 ? i : first;
                reached++;
            }
        }
        if (reached == count || reached > 0 && !all) {
            return first;
        }
        Thread waiter = Thread.currentThread();
        Runnable wakeOnSubmit = () -> LockSupport.unpark(waiter);
        FenceCallback wakeOnSignal = f -> LockSupport.unpark(waiter);
        boolean[] hooked = new boolean[count];
        try {
            for (;;) {
                List<Syncobj> listening = new ArrayList<>();
                try {
                    // a listener first, then the look: a fence attached in between still wakes us
                    for (int i = 0; i < count; i++) {
                        if (entries[i] == null) {
                            syncobjs.get(i).onSubmit(wakeOnSubmit);
                            listening.add(syncobjs.get(i));
                            entries[i] = fenceOrNull(syncobjs.get(i), points[i]);
                        }
                    }
                    reached = 0;
                    for (int i = 0; i < count; i++) {
                        DmaFence f = entries[i];
                        if (f == null) {
                            continue;
                        }
                        boolean signaled = available || f.isSignaled();
                        if (!signaled && !hooked[i]) {
                            hooked[i] = f.addCallback(wakeOnSignal);
                            signaled = !hooked[i];
                        }
                        if (signaled) {
                            if (!all) {
                                return i;
                            }
                            reached++;
                        }
                    }
                    if (reached == count) {
                        return first;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw DrmException.quiet(Errno.ETIME, "syncobj wait timed out");
                    }
                    LockSupport.parkNanos(this, left);
                    if (Thread.interrupted()) {
                        throw new DrmException(Errno.ERESTARTSYS, "syncobj wait interrupted");
                    }
                } finally {
                    listening.forEach(s -> s.removeOnSubmit(wakeOnSubmit));
                }
            }
        } finally {
            for (int i = 0; i < count; i++) {
                if (hooked[i]) {
                    entries[i].removeCallback(wakeOnSignal);
                }
            }
        }
    }

    /**
     * {@code drm_syncobj_find_fence} with WAIT_FOR_SUBMIT: the fence for {@code point}, waiting
     * until {@code deadline} for one to be attached.
     *
     * @throws DrmException ETIME if none came in time; ERESTARTSYS if the thread is interrupted
     */
    DmaFence awaitSubmitted(Syncobj syncobj, long point, long deadline) throws DrmException {
        Thread waiter = Thread.currentThread();
        Runnable wake = () -> LockSupport.unpark(waiter);
        for (;;) {
            syncobj.onSubmit(wake); // before the look: an attach in between still wakes us
            try {
                DmaFence fence = fenceOrNull(syncobj, point);
                if (fence != null) {
                    return fence;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw DrmException.quiet(Errno.ETIME, "no fence submitted for point " + Long.toUnsignedString(point));
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    throw new DrmException(Errno.ERESTARTSYS, "wait for submit interrupted");
                }
            } finally {
                syncobj.removeOnSubmit(wake);
            }
        }
    }

    /** {@code drm_syncobj_add_eventfd}: {@code counter} gets one when the point is available or signalled. */
    void addEventfd(Syncobj syncobj, long point, boolean available, kiln.drm.api.file.EventCounter counter) {
        new EventfdEntry(syncobj, point, available, counter.register()).start();
    }

    static DmaFence fenceOrNull(Syncobj syncobj, long point) {
        try {
            return syncobj.find(point);
        } catch (DrmException notSubmitted) {
            return null;
        }
    }
}
