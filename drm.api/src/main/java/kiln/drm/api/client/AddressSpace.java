package kiln.drm.api.client;

import java.lang.foreign.MemorySegment;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;

/**
 * A client's memory: anonymous mappings at addresses it chooses, read and written only through
 * bounds-checked copies ({@code copy_from_user} / {@code copy_to_user}). Thread-safe; concurrent
 * copies into the same bytes race as they would in a real process.
 */
@ProviderType
public interface AddressSpace {
    /**
     * Maps {@code size} zeroed bytes ({@code mmap(MAP_ANONYMOUS)}), 16 KiB aligned.
     *
     * @return the address of the mapping
     * @throws DrmException EINVAL for a size &lt;= 0; ENOMEM when the address space limit is reached
     */
    long map(long size) throws DrmException;

    /**
     * Unmaps the mapping that starts at {@code address}; later accesses fault.
     *
     * @throws DrmException EINVAL if no mapping starts there
     */
    void unmap(long address) throws DrmException;

    /** Copies {@code length} bytes at {@code address} into {@code target} at {@code offset}. EFAULT if unmapped. */
    void copyIn(long address, MemorySegment target, long offset, long length) throws DrmException;

    /** Copies {@code length} bytes of {@code source} from {@code offset} to {@code address}. EFAULT if unmapped. */
    void copyOut(MemorySegment source, long offset, long address, long length) throws DrmException;

    /** Reads a little-endian u32 at {@code address}. */
    int readInt(long address) throws DrmException;

    /** Writes a little-endian u32 at {@code address}. */
    void writeInt(long address, int value) throws DrmException;

    /** Reads a little-endian u64 at {@code address}. */
    long readLong(long address) throws DrmException;

    /** Writes a little-endian u64 at {@code address}. */
    void writeLong(long address, long value) throws DrmException;

    /** Bytes currently mapped. */
    long mappedBytes();
}
