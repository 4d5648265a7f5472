package kiln.agx.silicon;

import java.lang.annotation.Annotation;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import kiln.agx.api.hw.FirmwareCoreId;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuRevision;
import kiln.agx.api.hw.GpuVariant;
import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.hw.PerformanceState;
import kiln.agx.api.hw.UatFormat;
import kiln.agx.api.hw.UatProt;
import kiln.agx.api.silicon.ReservedRegion;
import kiln.agx.api.silicon.Silicon;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.drm.api.DrmException;
import kiln.drm.api.memory.PhysicalMemory;
import kiln.drm.api.memory.PhysicalPages;
import kiln.drm.impl.gem.PagePool;

/**
 * A machine for silicon tests: physical memory, a powered-on part, and a page-table writer
 * doing what the driver's VM code does (tables in physical memory, TTBAT entries, mappings).
 */
public final class TestMachine implements AutoCloseable {
    private static final ValueLayout.OfLong ENTRY = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A one-cluster, eight-core G13G-shaped chip (the real tables are tested in agx.g13). */
    public static final HwConfig SMALL = chip(0x8103, GpuVariant.G, 1, 1, 40);
    /** An eight-cluster, two-die chip shaped like t6002. */
    public static final HwConfig LARGE = chip(0x6002, GpuVariant.D, 2, 8, 42);

    public final PhysicalMemory memory;
    public final Silicon silicon;
    private final List<PhysicalPages> owned = new ArrayList<>();

    public TestMachine(HwConfig hw, SiliconOptions options) throws DrmException {
        this.memory = new PagePool(new PagePool.Config() {
            @Override
            public long limit_mib() {
                return 256;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return PagePool.Config.class;
            }
        });
        this.silicon = SiliconFactory.powerOn(hw, memory, options);
    }

    public TestMachine() throws DrmException {
        this(SMALL, SiliconOptions.defaults().withHostWorkers(2));
    }

    private static HwConfig chip(int id, GpuVariant variant, int dies, int clusters, int oas) {
        List<PerformanceState> states = List.of(PerformanceState.uniform(0, 400, clusters, 0),
                PerformanceState.uniform(396_000_000L, 603, clusters, 3000));
        return new HwConfig(id, GpuGen.G13, variant, FirmwareCoreId.G13G, Set.of(), 24_000_000L, oas, dies, clusters, 8,
                8, 4, 0x540, 0x280, 0x20, 0xa041, 1.02f, 0, 0, 0, GpuRevision.C0, states);
    }

    /** Allocates zeroed physical pages the machine keeps until close. */
    public PhysicalPages allocate(long bytes) throws DrmException {
        PhysicalPages pages = memory.allocate(bytes);
        owned.add(pages);
        return pages;
    }

    /** A fresh empty table; its physical address. */
    public long newTable() throws DrmException {
        return allocate(PhysicalMemory.PAGE_SIZE).pageAddress(0);
    }

    /** Points context {@code slot}'s ttb0 (and ttb1 if nonzero) at root tables. */
    public void bind(int slot, long root0, long root1) {
        long ttbs = silicon.reservedRegion(ReservedRegion.TTBS).physicalAddress();
        writePhysical(ttbs + slot * 16L, root0 == 0 ? 0 : UatFormat.ttb(root0, slot));
        writePhysical(ttbs + slot * 16L + 8, root1 == 0 ? 0 : UatFormat.ttb(root1, slot));
    }

    /** Maps {@code pages} at {@code va} in the tables under {@code root}. */
    public void map(long root, long va, PhysicalPages pages, UatProt prot) throws DrmException {
        for (int i = 0; i < pages.size() / PhysicalMemory.PAGE_SIZE; i++) {
            setEntry(root, va + i * PhysicalMemory.PAGE_SIZE, UatFormat.pageEntry(pages.pageAddress(i), prot, va >= 0));
        }
    }

    /** Writes the leaf entry for {@code va}, creating intermediate tables as needed. */
    public void setEntry(long root, long va, long entry) throws DrmException {
        setPhysicalEntry(leafEntryAddress(root, va, true), entry);
    }

    /** The physical address of {@code va}'s leaf entry. */
    public long leafEntryAddress(long root, long va, boolean create) throws DrmException {
        long table = root;
        for (int level = 0; level < 2; level++) {
            long at = table + UatFormat.index(va, level) * 8L;
            long entry = readPhysical(at);
            if (entry == 0) {
                if (!create) {
                    return -1;
                }
                entry = UatFormat.tableEntry(newTable());
                writePhysical(at, entry);
            }
            table = UatFormat.outputAddress(entry, 42);
        }
        return table + UatFormat.index(va, 2) * 8L;
    }

    public void setPhysicalEntry(long address, long entry) {
        writePhysical(address, entry);
    }

    public long readPhysical(long address) {
        return frame(address).get(ENTRY, address & (PhysicalMemory.PAGE_SIZE - 1));
    }

    public void writePhysical(long address, long value) {
        frame(address).set(ENTRY, address & (PhysicalMemory.PAGE_SIZE - 1), value);
    }

    private MemorySegment frame(long address) {
        MemorySegment frame = memory.frame(address);
        if (frame == null) {
            throw new IllegalArgumentException("no memory at 0x" + Long.toHexString(address));
        }
        return frame;
    }

    @Override
    public void close() {
        silicon.close();
        owned.forEach(PhysicalPages::close);
    }
}
