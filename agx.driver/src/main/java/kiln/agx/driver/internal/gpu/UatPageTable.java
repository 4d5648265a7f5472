package kiln.agx.driver.internal.gpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import kiln.agx.api.hw.UatFormat;
import kiln.agx.api.hw.UatProt;
import kiln.drm.api.DrmException;
import kiln.drm.api.memory.PhysicalMemory;
import kiln.drm.api.memory.PhysicalPages;

/**
 * One UAT page table (the driver's {@code io_pgtable}): three levels of 16 KiB tables in
 * physical memory under one root, written in {@link UatFormat}. Map and unmap change leaf
 * entries only; callers invalidate the TLB afterwards. Intermediate tables are created on
 * demand and freed with the table. Not thread-safe: a VM serialises its own changes.
 */
public final class UatPageTable implements AutoCloseable {
    private static final ValueLayout.OfLong ENTRY = ValueLayout.JAVA_LONG_UNALIGNED;
    private final PhysicalMemory memory;
    private final int outputAddressBits;
    private final long root;
    private final List<PhysicalPages> owned = new ArrayList<>();

    /** A table with a fresh root. */
    public UatPageTable(PhysicalMemory memory, int outputAddressBits) throws DrmException {
        this.memory = memory;
        this.outputAddressBits = outputAddressBits;
        this.root = table();
    }

    /** A table over an existing root (the bootloader's kernel {@code pagetables} region). */
    public UatPageTable(PhysicalMemory memory, int outputAddressBits, long existingRoot) {
        this.memory = memory;
        this.outputAddressBits = outputAddressBits;
        this.root = existingRoot;
    }

    /** The root's physical address, for the TTBAT. */
    public long root() {
        return root;
    }

    private long table() throws DrmException {
        PhysicalPages t = memory.allocate(UatFormat.PAGE_BYTES);
        owned.add(t);
        return t.pageAddress(0);
    }

    /** Maps {@code pages} at {@code va} with {@code prot}; lower-half mappings are per-context (non-global). */
    public void map(long va, PhysicalPages pages, UatProt prot) throws DrmException {
        long count = pages.size() / UatFormat.PAGE_BYTES;
        for (int i = 0; i < count; i++) {
            mapPhysical(va + i * UatFormat.PAGE_BYTES, pages.pageAddress(i), UatFormat.PAGE_BYTES, prot);
        }
    }

    /** Maps {@code bytes} of contiguous physical memory from {@code physicalAddress} at {@code va}. */
    public void mapPhysical(long va, long physicalAddress, long bytes, UatProt prot) throws DrmException {
        for (long off = 0; off < bytes; off += UatFormat.PAGE_BYTES) {
            long at = va + off;
            leaf(at, true).set(ENTRY, slot(at), UatFormat.pageEntry(physicalAddress + off, prot, !UatFormat.isUpperHalf(at)));
        }
    }

    /** Clears the entries of {@code [va, va + bytes)}. */
    public void unmap(long va, long bytes) throws DrmException {
        for (long at = va; at < va + bytes; at += UatFormat.PAGE_BYTES) {
            MemorySegment leaf = leaf(at, false);
            if (leaf != null) {
                leaf.set(ENTRY, slot(at), 0L);
            }
        }
    }

    private static long slot(long va) {
        return UatFormat.index(va, UatFormat.LEVEL_SHIFTS.length - 1) * 8L;
    }

    /** The last-level table holding {@code va}'s entry; null if absent and {@code create} is false. */
    private MemorySegment leaf(long va, boolean create) throws DrmException {
        long table = root;
        for (int level = 0; level < UatFormat.LEVEL_SHIFTS.length - 1; level++) {
            MemorySegment frame = memory.frame(table);
            long at = UatFormat.index(va, level) * 8L;
            long next = frame.get(ENTRY, at);
            if (next == 0) {
                if (!create) {
                    return null;
                }
                next = UatFormat.tableEntry(table());
                frame.set(ENTRY, at, next);
            }
            table = UatFormat.outputAddress(next, outputAddressBits);
        }
        return memory.frame(table);
    }

    /** Frees the tables this object allocated (not a pre-existing root). */
    @Override
    public void close() {
        owned.forEach(PhysicalPages::close);
        owned.clear();
    }
}
