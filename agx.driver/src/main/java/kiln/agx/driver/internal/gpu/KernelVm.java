package kiln.agx.driver.internal.gpu;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import kiln.agx.api.hw.UatFormat;
import kiln.agx.api.hw.UatProt;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.memory.PhysicalMemory;
import kiln.drm.api.memory.PhysicalPages;

/**
 * The kernel's firmware-shared memory in UAT context 0's upper half: a grow-only heap (the real
 * driver's {@code HeapAllocator} shape) of 1 MiB blocks mapped {@code FW_SHARED_RW} from
 * {@link #BASE}, handing out 0x80-aligned pieces with their CPU view. Firmware structures live
 * here; per-command objects are {@linkplain #free freed} into per-size free lists (the
 * simulated firmware keeps no cache, so nothing needs the real driver's flush-before-reuse).
 */
public final class KernelVm implements AutoCloseable {
    /** Where kernel allocations start (Kiln's choice inside the kernel half). */
    public static final long BASE = 0xffff_ffa0_0000_0000L;
    /** Real: {@code min_align} of the kernel allocators. */
    public static final long MIN_ALIGN = 0x80;
    private static final long BLOCK = 1 << 20;

    private final PhysicalMemory memory;
    private final UatPageTable table;
    private final List<PhysicalPages> blocks = new ArrayList<>();
    private long next = BASE;
    private long end = BASE;
    private boolean closed;
    private long liveBytes;
    private long liveObjects;
    /** Free pieces by size class (a power of two from MIN_ALIGN up to BLOCK). */
    private final java.util.ArrayDeque<Alloc>[] free = newFreeLists();

    @SuppressWarnings("unchecked")
    private static java.util.ArrayDeque<Alloc>[] newFreeLists() {
        java.util.ArrayDeque<Alloc>[] lists = new java.util.ArrayDeque[64];
        for (int i = 0; i < lists.length; i++) {
            lists[i] = new java.util.ArrayDeque<>();
        }
        return lists;
    }

    private static int sizeClass(long bytes) {
        return 64 - Long.numberOfLeadingZeros(Math.max(MIN_ALIGN, bytes) - 1);
    }

    /** A piece of kernel memory: its GPU VA and the CPU's view of the same bytes. */
    public record Alloc(long va, MemorySegment cpu) {
    }

    public KernelVm(PhysicalMemory memory, UatPageTable table) {
        this.memory = memory;
        this.table = table;
    }

    /**
     * A zeroed, 0x80-aligned piece that never crosses a block. Pieces up to a block come in
     * power-of-two sizes and can be {@link #free}d; larger ones live as long as the device.
     */
    public Alloc allocate(long bytes) throws DrmException {
        return allocate(bytes, true);
    }

    /**
     * As {@link #allocate(long)}; with {@code zeroed} false a reused piece keeps old bytes, for
     * callers that overwrite all of it at once (a {@link FwTemplate} copy).
     */
    public synchronized Alloc allocate(long bytes, boolean zeroed) throws DrmException {
        if (closed) {
            throw DrmException.quiet(Errno.ENODEV, "the GPU is gone");
        }
        if (bytes > BLOCK) {
            return allocateLarge((bytes + MIN_ALIGN - 1) & -MIN_ALIGN);
        }
        int sizeClass = sizeClass(bytes);
        long size = 1L << sizeClass;
        liveBytes += size;
        liveObjects++;
        Alloc reused = free[sizeClass].poll();
        if (reused != null) {
            if (zeroed) {
                reused.cpu().fill((byte) 0);
            }
            return new Alloc(reused.va(), reused.cpu().asSlice(0, bytes));
        }
        if (next + size > end) {
            grow(BLOCK);
        }
        long va = next;
        next += size;
        return new Alloc(va, view(va, size).asSlice(0, bytes));
    }

    /** Returns a piece {@link #allocate} gave (of at most a block) for reuse. */
    public synchronized void free(Alloc alloc) {
        if (closed) { // the device is gone and its memory with it
            return;
        }
        long bytes = alloc.cpu().byteSize();
        if (bytes > BLOCK) { // its VA is not reused: large pieces are rare and live about as long as the device
            liveBytes -= (bytes + UatFormat.PAGE_BYTES - 1) & -UatFormat.PAGE_BYTES;
            liveObjects--;
            return;
        }
        int sizeClass = sizeClass(bytes);
        liveBytes -= 1L << sizeClass;
        liveObjects--;
        free[sizeClass].add(new Alloc(alloc.va(), view(alloc.va(), 1L << sizeClass)));
    }

    private Alloc allocateLarge(long size) throws DrmException {
        long rounded = (size + UatFormat.PAGE_BYTES - 1) & -UatFormat.PAGE_BYTES;
        liveBytes += rounded;
        liveObjects++;
        long va = end;
        grow(rounded);
        next = end;
        return new Alloc(va, view(va, size));
    }

    private void grow(long bytes) throws DrmException {
        PhysicalPages block = memory.allocate(bytes);
        table.map(end, block, UatProt.FW_SHARED_RW);
        blocks.add(block);
        next = end;
        end += bytes;
    }

    private MemorySegment view(long va, long size) {
        long offset = va - BASE;
        for (PhysicalPages b : blocks) {
            if (offset < b.size()) {
                return b.memory().asSlice(offset, size);
            }
            offset -= b.size();
        }
        throw new IllegalStateException("unmapped kernel VA 0x" + Long.toHexString(va));
    }

    /** Bytes mapped. */
    public synchronized long mappedBytes() {
        return end - BASE;
    }

    /** Bytes handed out and not freed (pieces count their size class). */
    public synchronized long liveBytes() {
        return liveBytes;
    }

    /** Pieces handed out and not freed. */
    public synchronized long liveObjects() {
        return liveObjects;
    }

    @Override
    public synchronized void close() {
        closed = true;
        blocks.forEach(PhysicalPages::close);
        blocks.clear();
    }
}
