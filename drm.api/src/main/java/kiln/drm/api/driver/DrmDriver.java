package kiln.drm.api.driver;

import java.util.List;
import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

import kiln.drm.api.DrmException;
import kiln.drm.api.file.DrmFile;
import kiln.drm.api.ioctl.IoctlDescriptor;

/**
 * A DRM driver ({@code #[vtable] trait Driver}). Implemented by drivers; the DRM core calls it.
 * {@link #info()}, {@link #features()} and {@link #ioctls()} are read once, at registration.
 */
@ConsumerType
public interface DrmDriver {
    DriverInfo info();

    Set<DriverFeature> features();

    /** The driver ioctls, entry i numbered {@code DRM_COMMAND_BASE + i}. */
    List<IoctlDescriptor> ioctls();

    /**
     * A client opened a node ({@code DriverFile::open}): returns the file's driver-private state,
     * reachable later as {@link DrmFile#driverPrivate()}.
     *
     * @throws DrmException to refuse the open (the client sees the errno)
     */
    default Object open(DrmFile file) throws DrmException {
        return null;
    }

    /**
     * The file is closing ({@code postclose}): called after the core released the file's
     * syncobjs and GEM handles, before the file is gone. Must not fail.
     */
    default void postclose(DrmFile file) {
    }
}
