package kiln.drm.api.mm;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;

/**
 * The drm_mm service: makes {@link RangeAllocator}s ({@code drm_mm_init}).
 */
@ProviderType
public interface RangeAllocatorFactory {
    /**
     * @param name        for logs and the shell
     * @param start       first address, &gt;= 0
     * @param size        &gt; 0, with {@code start + size} not overflowing
     * @param colorAdjust the driver's colour callback, or {@code null}
     * @throws DrmException EINVAL for a bad range
     */
    <T> RangeAllocator<T> create(String name, long start, long size, ColorAdjust<T> colorAdjust)
            throws DrmException;

    /** {@code create(name, start, size, null)}. */
    default <T> RangeAllocator<T> create(String name, long start, long size) throws DrmException {
        return create(name, start, size, null);
    }
}
