package kiln.drm.api.gem;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;
import kiln.drm.api.device.DrmDevice;

/** A GEM object; see the {@linkplain kiln.drm.api.gem package documentation}. */
@ProviderType
public interface GemObject {
    /** Size in bytes, a multiple of the page size. */
    long size();

    DrmDevice device();

    /** Takes a reference ({@code drm_gem_object_get}); returns this. */
    GemObject get();

    /** Drops a reference ({@code drm_gem_object_put}); the last one frees the object. */
    void put();

    /** Current reference count (for diagnostics; races with other threads). */
    int refcount();

    /** Whether the last reference has gone. */
    boolean isFreed();

    /** Whether PRIME may export the object (default true). */
    boolean isExportable();

    /** Marks the object (non-)exportable; call before it is shared. */
    void setExportable(boolean exportable);

    /**
     * The object's fake mmap offset, allocated on first call and stable afterwards.
     *
     * @throws DrmException ENOSPC when the device's mmap space is exhausted
     */
    long mmapOffset() throws DrmException;

    /** The driver's own object, as given at creation. */
    Object driverObject();
}
