package kiln.drm.impl.gem;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import kiln.drm.api.DrmException;
import kiln.drm.api.gem.SgEntry;
import kiln.drm.api.gem.ShmemObject;

/**
 * The backing of one shmem object: frames from the pool and zeroed off-heap memory in a shared
 * arena. Closing the arena makes every view of the memory fail instead of reading freed memory.
 */
final class Pages {
    private final PagePool pool;
    private final long[] frames;
    private final Arena arena;
    final MemorySegment memory;
    final List<SgEntry> sgTable;

    Pages(PagePool pool, long size) throws DrmException {
        this.pool = pool;
        this.frames = pool.allocate((int) (size / ShmemObject.PAGE_SIZE));
        Arena arena = Arena.ofShared();
        try {
            this.memory = arena.allocate(size, ShmemObject.PAGE_SIZE);
        } catch (OutOfMemoryError e) {
            arena.close();
            pool.free(frames);
            throw DrmException.quiet(kiln.drm.api.Errno.ENOMEM, "no host memory for " + size + " bytes");
        }
        this.arena = arena;
        this.sgTable = merge(frames);
    }

    private static List<SgEntry> merge(long[] frames) {
        List<SgEntry> entries = new ArrayList<>();
        long start = -1;
        long length = 0;
        for (long frame : frames) {
            long address = PagePool.address(frame);
            if (start >= 0 && start + length == address) {
                length += ShmemObject.PAGE_SIZE;
            } else {
                if (start >= 0) {
                    entries.add(new SgEntry(start, length));
                }
                start = address;
                length = ShmemObject.PAGE_SIZE;
            }
        }
        if (start >= 0) {
            entries.add(new SgEntry(start, length));
        }
        return List.copyOf(entries);
    }

    void release() {
        arena.close();
        pool.free(frames);
    }
}
