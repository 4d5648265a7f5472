package kiln.drm.api.file;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.client.Client;
import kiln.drm.api.device.DrmDevice;

/** An open DRM node; see the {@linkplain kiln.drm.api.file package documentation}. Thread-safe. */
@ProviderType
public interface DrmFile {
    DrmDevice device();

    /** The client that opened the file. */
    Client client();

    /**
     * The kernel's {@code current}: the client whose ioctl on this file this thread is running
     * (it may not be the opener: a descriptor passed on, a native child after {@code fork});
     * the opener outside a call. Descriptors an ioctl installs or looks up, and the memory its
     * pointers address, are the caller's.
     */
    Client caller();

    /** Whether the file was opened on the render node. */
    boolean isRender();

    /** Whether the file is the master of its device's primary node. */
    boolean isMaster();

    /** Whether AUTH ioctls are allowed. */
    boolean isAuthenticated();

    /** What the driver's open hook returned. */
    Object driverPrivate();

    /** The driver-private state as {@code type}. */
    default <T> T driverPrivate(Class<T> type) {
        return type.cast(driverPrivate());
    }

    /** Whether the file has been released. */
    boolean isClosed();
}
