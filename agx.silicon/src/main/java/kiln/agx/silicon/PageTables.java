package kiln.agx.silicon;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import kiln.agx.api.hw.UatFormat;
import kiln.agx.api.hw.UatProt;
import kiln.agx.api.silicon.ReservedRegion;
import kiln.agx.api.silicon.Silicon;
import kiln.drm.api.DrmException;
import kiln.drm.api.memory.PhysicalMemory;
import kiln.drm.api.memory.PhysicalPages;

/**
 * A minimal UAT page-table writer over physical memory: what a bootloader or a test bench uses
 * to give the silicon address spaces without a driver (the driver keeps its own, with VA
 * allocation and unmapping). Tables are allocated on demand and all returned by {@link #close()}.
 * Not thread-safe.
 */
public final class PageTables implements AutoCloseable {
    private static final ValueLayout.OfLong ENTRY = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final PhysicalMemory memory;
    private final int outputAddressBits;
    private final List<PhysicalPages> tables = new ArrayList<>();

    public PageTables(PhysicalMemory memory, int outputAddressBits) {
        this.memory = memory;
        this.outputAddressBits = outputAddressBits;
    }

    /** A new empty table (a root, typically); its physical address. */
    public long newTable() throws DrmException {
        PhysicalPages table = memory.allocate(UatFormat.PAGE_BYTES);
        tables.add(table);
        return table.pageAddress(0);
    }

    /** Writes context {@code slot}'s TTBAT entry: ttb0 and ttb1 roots (0 leaves a half invalid). */
    public void bind(Silicon silicon, int slot, long root0, long root1) {
        long entry = silicon.reservedRegion(ReservedRegion.TTBS).physicalAddress()
                + (long) slot * UatFormat.TTBAT_ENTRY_BYTES;
        write(entry, root0 == 0 ? 0 : UatFormat.ttb(root0, slot));
        write(entry + 8, root1 == 0 ? 0 : UatFormat.ttb(root1, slot));
    }

    /** Maps every page of {@code pages} from {@code va} under {@code root}; user (lower-half) mappings are non-global. */
    public void map(long root, long va, PhysicalPages pages, UatProt prot) throws DrmException {
        for (int i = 0; i < pages.size() / UatFormat.PAGE_BYTES; i++) {
            setEntry(root, va + i * UatFormat.PAGE_BYTES, UatFormat.pageEntry(pages.pageAddress(i), prot, va >= 0));
        }
    }

    /** Writes the leaf entry for {@code va}, creating the intermediate tables it needs. */
    public void setEntry(long root, long va, long entry) throws DrmException {
        long table = root;
        for (int level = 0; level < UatFormat.LEVEL_SHIFTS.length - 1; level++) {
            long at = table + UatFormat.index(va, level) * 8L;
            long next = read(at);
            if (next == 0) {
                next = UatFormat.tableEntry(newTable());
                write(at, next);
            }
            table = UatFormat.outputAddress(next, outputAddressBits);
        }
        write(table + UatFormat.index(va, UatFormat.LEVEL_SHIFTS.length - 1) * 8L, entry);
    }

    /** Reads a 64-bit word of physical memory. */
    public long read(long physicalAddress) {
        return frame(physicalAddress).get(ENTRY, physicalAddress & (UatFormat.PAGE_BYTES - 1));
    }

    /** Writes a 64-bit word of physical memory. */
    public void write(long physicalAddress, long value) {
        frame(physicalAddress).set(ENTRY, physicalAddress & (UatFormat.PAGE_BYTES - 1), value);
    }

    private MemorySegment frame(long physicalAddress) {
        MemorySegment frame = memory.frame(physicalAddress);
        if (frame == null) {
            throw new IllegalArgumentException("no memory at 0x" + Long.toHexString(physicalAddress));
        }
        return frame;
    }

    /** Frees every table this writer allocated. */
    @Override
    public void close() {
        tables.forEach(PhysicalPages::close);
        tables.clear();
    }
}
