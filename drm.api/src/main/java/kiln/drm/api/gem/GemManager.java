package kiln.drm.api.gem;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;
import kiln.drm.api.device.DrmDevice;
import kiln.drm.api.file.DrmFile;

/** The GEM service: object creation, handles and PRIME. */
@ProviderType
public interface GemManager {
    /** DRM_CLOEXEC ({@code O_CLOEXEC}). */
    int DRM_CLOEXEC = 02000000;
    /** DRM_RDWR ({@code O_RDWR}). */
    int DRM_RDWR = 2;

    /**
     * A GEM-shmem object of {@code size} bytes rounded up to pages; pages come later.
     *
     * @throws DrmException EINVAL for a size &lt;= 0
     */
    ShmemObject createShmem(DrmDevice device, long size, GemObjectFuncs funcs, Object driverObject)
            throws DrmException;

    /**
     * A new handle for {@code object} in {@code file} ({@code drm_gem_handle_create}).
     *
     * @throws DrmException what the object's open hook answers; ENOSPC if the file has too many handles
     */
    int createHandle(DrmFile file, GemObject object) throws DrmException;

    /**
     * The object behind a handle, with a reference the caller must {@link GemObject#put() put}
     * ({@code drm_gem_object_lookup}).
     *
     * @throws DrmException ENOENT for an unknown handle
     */
    GemObject lookup(DrmFile file, int handle) throws DrmException;

    /** {@link #lookup} as a shmem object. ENOENT if unknown, EINVAL if it is not shmem. */
    ShmemObject lookupShmem(DrmFile file, int handle) throws DrmException;

    /**
     * Closes a handle ({@code drm_gem_handle_delete}).
     *
     * @throws DrmException EINVAL for an unknown handle
     */
    void closeHandle(DrmFile file, int handle) throws DrmException;

    /** Number of handles open in the file. */
    int handleCount(DrmFile file);

    /**
     * PRIME export ({@code drm_gem_prime_handle_to_fd}).
     *
     * @return the dma-buf's descriptor in the file's client
     * @throws DrmException ENOENT unknown handle; EINVAL bad flags or a non-exportable object
     */
    int exportHandle(DrmFile file, int handle, int flags) throws DrmException;

    /**
     * PRIME import ({@code drm_gem_prime_fd_to_handle}).
     *
     * @throws DrmException EBADF unknown descriptor; EINVAL not a dma-buf
     */
    int importFd(DrmFile file, int fd) throws DrmException;
}
