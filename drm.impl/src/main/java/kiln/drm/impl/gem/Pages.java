package kiln.drm.impl.gem;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.gem.SgEntry;
import kiln.drm.api.memory.PhysicalMemory;
import kiln.drm.api.memory.PhysicalPages;

/**
 * One allocation of physical memory: frames from the pool and zeroed off-heap memory in a
 * shared arena of its own. Closing the arena makes every view of the memory fail instead of
 * reading memory that has been handed to another owner.
 */
final class Pages implements PhysicalPages {
    private final PagePool pool;
    private final long[] frames;
    private final Arena arena;
    private final MemorySegment memory;
    /** Its range of the pool's shared file, or null when memory is the runtime's alone. */
    private final SharedBacking.Range shared;
    private final List<SgEntry> sgTable;
    private boolean closed;

    Pages(PagePool pool, long size) throws DrmException {
        this.pool = pool;
        this.frames = pool.reserve((int) (size / PhysicalMemory.PAGE_SIZE));
        Arena arena = Arena.ofShared();
        SharedBacking backing = pool.backing();
        try {
            this.shared = backing == null ? null : backing.allocate(size, arena);
            this.memory = shared != null ? shared.memory() : arena.allocate(size, PhysicalMemory.PAGE_SIZE);
        } catch (OutOfMemoryError e) {
            arena.close();
            pool.release(frames);
            throw DrmException.quiet(Errno.ENOMEM, "no host memory for " + size + " bytes");
        } catch (DrmException e) {
            arena.close();
            pool.release(frames);
            throw e;
        }
        this.arena = arena;
        this.sgTable = merge(frames);
        pool.publish(frames, memory);
    }

    private static List<SgEntry> merge(long[] frames) {
        List<SgEntry> entries = new ArrayList<>();
        long start = -1;
        long length = 0;
        for (long frame : frames) {
            long address = PagePool.address(frame);
            if (start >= 0 && start + length == address) {
                length += PhysicalMemory.PAGE_SIZE;
            } else {
                if (start >= 0) {
                    entries.add(new SgEntry(start, length));
                }
                start = address;
                length = PhysicalMemory.PAGE_SIZE;
            }
        }
        if (start >= 0) {
            entries.add(new SgEntry(start, length));
        }
        return List.copyOf(entries);
    }

    @Override
    public MemorySegment memory() {
        return memory;
    }

    @Override
    public long size() {
        return memory.byteSize();
    }

    @Override
    public long pageAddress(int index) {
        return PagePool.address(frames[index]);
    }

    @Override
    public List<SgEntry> sgTable() {
        return sgTable;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        // Unpublish first so no new translation finds the frames, then kill the old views.
        pool.release(frames);
        arena.close();
        if (shared != null) {
            pool.backing().free(shared.node()); // unmapped above: the range may serve another allocation
        }
    }

    @Override
    public java.util.Optional<kiln.drm.api.memory.BackingFile> backing() {
        return shared == null ? java.util.Optional.empty()
                : java.util.Optional.of(new kiln.drm.api.memory.BackingFile(pool.backing().file(), shared.offset()));
    }
}
