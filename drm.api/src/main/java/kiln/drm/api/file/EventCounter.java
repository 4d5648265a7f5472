package kiln.drm.api.file;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A counter others add to when something happens, the kernel's {@code eventfd_ctx}: what
 * {@code DRM_IOCTL_SYNCOBJ_EVENTFD} takes as its descriptor. Implemented by whoever provides the
 * descriptor (a native process's eventfd through the bridge, a test); the DRM core only adds.
 */
@ConsumerType
public interface EventCounter {
    /** One pending addition, which holds the counter until it is made or given up. */
    Registration register();

    /** A pending addition of one; exactly one of its methods takes effect, once. */
    interface Registration {
        /** Adds one to the counter ({@code eventfd_signal(ctx, 1)}) and lets go of it. */
        void signal();

        /** Lets go of the counter without adding (the syncobj went away first). */
        void cancel();
    }
}
