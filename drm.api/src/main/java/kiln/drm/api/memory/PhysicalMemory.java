package kiln.drm.api.memory;

import java.lang.foreign.MemorySegment;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;

/** The machine's physical page pool; see the {@linkplain kiln.drm.api.memory package documentation}. */
@ProviderType
public interface PhysicalMemory {
    /** Bytes in one frame: 16 KiB, Apple's page size. */
    long PAGE_SIZE = 16 * 1024;
    /** log2 of {@link #PAGE_SIZE}. */
    int PAGE_SHIFT = 14;
    /** Physical address of the first frame: where DRAM starts on Apple M1/M2. */
    long DRAM_BASE = 0x8_0000_0000L;

    /**
     * Allocates zeroed frames for {@code bytes} (a multiple of {@link #PAGE_SIZE}).
     *
     * @throws DrmException ENOMEM if the pool cannot supply them; EINVAL for a size that is not
     *                      a positive multiple of the page size
     */
    PhysicalPages allocate(long bytes) throws DrmException;

    /**
     * The allocated frame containing {@code physicalAddress}, as a segment of {@link #PAGE_SIZE}
     * bytes starting at the frame's first byte; {@code null} if no allocation owns the frame.
     */
    MemorySegment frame(long physicalAddress);

    /** Bytes currently allocated. */
    long usedBytes();

    /** Bytes the pool may hand out in total. */
    long limitBytes();
}
