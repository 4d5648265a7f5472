package kiln.drm.api.syncobj;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;
import kiln.drm.api.file.DrmFile;

/** The syncobj service: objects and per-file handles, for drivers (the SUBMIT in/out syncs). */
@ProviderType
public interface SyncObjManager {
    /** A new syncobj, empty or holding a signalled fence. */
    SyncObj create(boolean signaled);

    /**
     * A handle for {@code syncobj} in {@code file}.
     *
     * @throws DrmException EOPNOTSUPP if the device's driver lacks the SYNCOBJ feature
     */
    int createHandle(DrmFile file, SyncObj syncobj) throws DrmException;

    /**
     * {@code drm_syncobj_find}.
     *
     * @throws DrmException ENOENT for an unknown handle
     */
    SyncObj lookup(DrmFile file, int handle) throws DrmException;

    /**
     * {@code drm_syncobj_destroy}.
     *
     * @throws DrmException EINVAL for an unknown handle
     */
    void destroy(DrmFile file, int handle) throws DrmException;
}
