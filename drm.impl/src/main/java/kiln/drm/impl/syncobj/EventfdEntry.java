package kiln.drm.impl.syncobj;

import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceCallback;
import kiln.drm.api.file.EventCounter;

/**
 * One {@code DRM_IOCTL_SYNCOBJ_EVENTFD} registration ({@code syncobj_eventfd_entry}): adds one to
 * the counter once the fence for {@code point} is there (WAIT_AVAILABLE) or has signalled. As in
 * the kernel, it follows the syncobj: a fence attached or replaced later is the one it waits for.
 */
final class EventfdEntry implements Runnable, FenceCallback {
    private final Syncobj syncobj;
    private final long point;
    private final boolean available;
    private final EventCounter.Registration registration;
    private DmaFence attached;
    private boolean done;

    EventfdEntry(Syncobj syncobj, long point, boolean available, EventCounter.Registration registration) {
        this.syncobj = syncobj;
        this.point = point;
        this.available = available;
        this.registration = registration;
    }

    /** Starts following the syncobj; may signal at once. */
    void start() {
        run();
    }

    /** A fence was attached to the syncobj (or replaced its fence): look again. */
    @Override
    public void run() {
        boolean fire = false;
        synchronized (this) {
            if (done) {
                return;
            }
            syncobj.onSubmit(this); // before the look: an attach in between still calls us
            DmaFence fence = SyncobjService.fenceOrNull(syncobj, point);
            if (fence == null) {
                return;
            }
            if (available) {
                fire = true;
            } else if (fence != attached) {
                if (attached != null) {
                    attached.removeCallback(this);
                }
                attached = fence;
                fire = !fence.addCallback(this);
            }
            if (fire) {
                finish();
            }
        }
        if (fire) {
            registration.signal();
        }
    }

    @Override
    public void signaled(DmaFence fence) {
        synchronized (this) {
            if (done || fence != attached) {
                return;
            }
            finish();
        }
        registration.signal();
    }

    private void finish() {
        done = true;
        syncobj.removeOnSubmit(this);
    }
}
