package kiln.drm.api.gem;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;

/** A GEM object backed by pool pages; see the {@linkplain kiln.drm.api.gem package documentation}. */
@ProviderType
public interface ShmemObject extends GemObject {
    /** Page size of the pool: 16 KiB, Apple's. */
    long PAGE_SIZE = 16 * 1024;

    /**
     * The pages as physical ranges ({@code drm_gem_shmem_get_sg_table}), allocating them if needed;
     * adjacent pages are merged into one entry.
     *
     * @throws DrmException ENOMEM if the pool cannot supply the pages
     */
    List<SgEntry> sgTable() throws DrmException;

    /**
     * A kernel CPU mapping ({@code vmap}) holding a reference until closed.
     *
     * @throws DrmException ENOMEM if the pages cannot be allocated; ENODEV if the object was freed
     */
    ShmemMapping vmap() throws DrmException;

    /** Whether the pages are allocated. */
    boolean isResident();
}
