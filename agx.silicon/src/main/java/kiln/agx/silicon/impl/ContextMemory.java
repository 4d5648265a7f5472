package kiln.agx.silicon.impl;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.lang.foreign.ValueLayout;

import kiln.agx.api.hw.UatFormat;
import kiln.agx.api.silicon.GpuMemory;

/**
 * {@link GpuMemory} over the UAT: byte-granular accesses split at page boundaries. Each view
 * keeps a small direct-mapped cache of the shared TLB's entries (the firmware reads its
 * structures word by word), tagged with the UAT generation read before the lookup: any
 * invalidation changes the generation, so a cached entry never outlives one. Entries are
 * immutable, so concurrent users of one view at worst miss.
 */
final class ContextMemory implements GpuMemory {
    private static final int CACHE_ENTRIES = 64;
    private final Cached[] cache = new Cached[CACHE_ENTRIES];

    /** A cached entry with what this view's agent may do through it, decided once. */
    private record Cached(long page, long generation, TlbEntry entry, MemorySegment frame, boolean mayRead,
            boolean mayWrite) {
    }

    private static final long PAGE_MASK = UatFormat.PAGE_BYTES - 1;
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final UatUnit uat;
    private final int slot;
    private final boolean firmware;
    private final int unit;

    ContextMemory(UatUnit uat, int slot, boolean firmware, int unit) {
        this.uat = uat;
        this.slot = slot;
        this.firmware = firmware;
        this.unit = unit;
    }

    @Override
    public int slot() {
        return slot;
    }

    @Override
    public int readInt(long va) {
        if ((va & PAGE_MASK) <= PAGE_MASK - 3) {
            MemorySegment frame = frame(va, false);
            try {
                return frame.get(INT_LE, va & PAGE_MASK);
            } catch (IllegalStateException freed) {
                throw uat.staleFault(slot, va, false, unit);
            }
        }
        int[] tmp = new int[1];
        read(va, MemorySegment.ofArray(tmp));
        return tmp[0];
    }

    @Override
    public void writeInt(long va, int value) {
        if ((va & PAGE_MASK) <= PAGE_MASK - 3) {
            MemorySegment frame = frame(va, true);
            try {
                frame.set(INT_LE, va & PAGE_MASK, value);
            } catch (IllegalStateException freed) {
                throw uat.staleFault(slot, va, true, unit);
            }
            return;
        }
        MemorySegment tmp = MemorySegment.ofArray(new int[] {value});
        write(va, tmp);
    }

    @Override
    public long readLong(long va) {
        if ((va & PAGE_MASK) <= PAGE_MASK - 7) {
            MemorySegment frame = frame(va, false);
            try {
                return frame.get(LONG_LE, va & PAGE_MASK);
            } catch (IllegalStateException freed) {
                throw uat.staleFault(slot, va, false, unit);
            }
        }
        long[] tmp = new long[1];
        read(va, MemorySegment.ofArray(tmp));
        return tmp[0];
    }

    @Override
    public void writeLong(long va, long value) {
        if ((va & PAGE_MASK) <= PAGE_MASK - 7) {
            MemorySegment frame = frame(va, true);
            try {
                frame.set(LONG_LE, va & PAGE_MASK, value);
            } catch (IllegalStateException freed) {
                throw uat.staleFault(slot, va, true, unit);
            }
            return;
        }
        write(va, MemorySegment.ofArray(new long[] {value}));
    }

    @Override
    public void read(long va, MemorySegment destination) {
        long done = 0;
        long size = destination.byteSize();
        while (done < size) {
            long at = va + done;
            long chunk = Math.min(size - done, UatFormat.PAGE_BYTES - (at & PAGE_MASK));
            MemorySegment frame = frame(at, false);
            try {
                MemorySegment.copy(frame, at & PAGE_MASK, destination, done, chunk);
            } catch (IllegalStateException freed) {
                throw uat.staleFault(slot, at, false, unit);
            }
            done += chunk;
        }
    }

    @Override
    public void write(long va, MemorySegment source) {
        long size = source.byteSize();
        if (size == 0) {
            return;
        }
        // Translate every page first so a refused write changes nothing.
        long firstPage = va & ~PAGE_MASK;
        int pages = (int) (((va + size - 1) & ~PAGE_MASK) - firstPage >>> UatFormat.PAGE_SHIFT) + 1;
        MemorySegment[] frames = new MemorySegment[pages];
        for (int i = 0; i < pages; i++) {
            frames[i] = frame(i == 0 ? va : firstPage + ((long) i << UatFormat.PAGE_SHIFT), true);
        }
        long done = 0;
        for (int i = 0; i < pages; i++) {
            long at = va + done;
            long chunk = Math.min(size - done, UatFormat.PAGE_BYTES - (at & PAGE_MASK));
            try {
                MemorySegment.copy(source, done, frames[i], at & PAGE_MASK, chunk);
            } catch (IllegalStateException freed) {
                throw uat.staleFault(slot, at, true, unit);
            }
            done += chunk;
        }
    }

    private MemorySegment frame(long va, boolean write) {
        long page = va >>> UatFormat.PAGE_SHIFT;
        int index = (int) page & (CACHE_ENTRIES - 1);
        long generation = uat.generation();
        Cached c = cache[index];
        if (c != null && c.page() == page && c.generation() == generation) {
            if (write ? c.mayWrite() : c.mayRead()) {
                return c.frame();
            }
            return uat.checked(c.entry(), slot, va, firmware, write, unit).frame(); // latches the fault
        }
        TlbEntry entry = uat.translate(slot, va, firmware, write, unit);
        cache[index] = new Cached(page, generation, entry, entry.frame(), entry.permissions().canRead(firmware),
                entry.permissions().canWrite(firmware));
        return entry.frame();
    }
}
