package kiln.drm.impl.client;

import kiln.drm.api.DrmException;
import kiln.drm.api.client.Client;
import kiln.drm.api.file.DrmFile;
import kiln.drm.impl.device.DeviceFile;

/**
 * The kernel's {@code current} for an ioctl: the client whose call this thread is running. A
 * file can be used by a client other than the one that opened it (a descriptor passed on, a
 * native process's child after {@code fork}); descriptors an ioctl installs or looks up, and the
 * memory its pointers address, are the caller's.
 */
public final class Caller {
    private static final ThreadLocal<Client> CURRENT = new ThreadLocal<>();

    private Caller() {
    }

    /**
     * The ioctl path: the caller's memory is passed along; the thread-local is set only when the
     * caller is not the opener (a handler asking {@link #of} then gets it). Ioctl handlers make no
     * ioctl calls of their own, so the opener's calls, the common case, set nothing.
     */
    static int ioctl(Client caller, DeviceFile file, int cmd, long arg) throws DrmException {
        if (file.client() == caller) {
            return file.ioctl(caller, cmd, arg);
        }
        Client previous = CURRENT.get();
        CURRENT.set(caller);
        try {
            return file.ioctl(caller, cmd, arg);
        } finally {
            CURRENT.set(previous);
        }
    }

    /** The client calling into {@code file} on this thread; its opener outside a call. */
    public static Client of(DrmFile file) {
        Client caller = CURRENT.get();
        return caller != null ? caller : file.client();
    }
}
