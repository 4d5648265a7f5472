package kiln.agx.silicon;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import kiln.agx.api.hw.FirmwareCoreId;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuRevision;
import kiln.agx.api.hw.GpuVariant;
import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.hw.PerformanceState;
import kiln.agx.api.hw.UatProt;
import kiln.agx.api.silicon.Silicon;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.drm.api.DrmException;
import kiln.drm.api.memory.PhysicalMemory;
import kiln.drm.api.memory.PhysicalPages;
import kiln.drm.impl.gem.PagePool;

/**
 * A machine for silicon tests: physical memory, a powered-on part and its page tables.
 */
public final class TestMachine implements AutoCloseable {
    /** A one-cluster, eight-core G13G-shaped chip (the real tables are tested in agx.g13). */
    public static final HwConfig SMALL = chip(0x8103, GpuVariant.G, 1, 1, 40);
    /** An eight-cluster, two-die chip shaped like t6002. */
    public static final HwConfig LARGE = chip(0x6002, GpuVariant.D, 2, 8, 42);

    public final PhysicalMemory memory;
    public final Silicon silicon;
    private final List<PhysicalPages> owned = new ArrayList<>();
    private final PageTables tables;

    public TestMachine(HwConfig hw, SiliconOptions options) throws DrmException {
        this.memory = PagePool.withLimit(256);
        this.silicon = SiliconFactory.powerOn(hw, memory, options);
        this.tables = new PageTables(memory, hw.uatOutputAddressBits());
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
        return tables.newTable();
    }

    /** Points context {@code slot}'s ttb0 (and ttb1 if nonzero) at root tables. */
    public void bind(int slot, long root0, long root1) {
        tables.bind(silicon, slot, root0, root1);
    }

    /** Maps {@code pages} at {@code va} in the tables under {@code root}. */
    public void map(long root, long va, PhysicalPages pages, UatProt prot) throws DrmException {
        tables.map(root, va, pages, prot);
    }

    /** Writes the leaf entry for {@code va}, creating intermediate tables as needed. */
    public void setEntry(long root, long va, long entry) throws DrmException {
        tables.setEntry(root, va, entry);
    }

    @Override
    public void close() {
        silicon.close();
        tables.close();
        owned.forEach(PhysicalPages::close);
    }
}
