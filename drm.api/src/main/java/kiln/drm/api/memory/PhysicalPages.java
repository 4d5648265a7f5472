package kiln.drm.api.memory;

import java.lang.foreign.MemorySegment;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.gem.SgEntry;

/**
 * Frames owned by one allocation. The owner alone closes them; closing twice is harmless.
 * After close, {@link #memory()} and every frame segment obtained through
 * {@link PhysicalMemory#frame(long)} fail with {@link IllegalStateException}.
 */
@ProviderType
public interface PhysicalPages extends AutoCloseable {
    /** The allocation's bytes as one CPU-visible segment (the kernel's linear map of them). */
    MemorySegment memory();

    /** Size in bytes. */
    long size();

    /** Physical address of page {@code index}. */
    long pageAddress(int index);

    /** The frames as physically contiguous runs, in allocation order. */
    List<SgEntry> sgTable();

    /**
     * Where the bytes live in a shared file, when physical memory is backed by one (what lets a
     * native process map a GEM object); empty for memory of the runtime alone.
     */
    default java.util.Optional<BackingFile> backing() {
        return java.util.Optional.empty();
    }

    /** Returns the frames to the pool. */
    @Override
    void close();
}
