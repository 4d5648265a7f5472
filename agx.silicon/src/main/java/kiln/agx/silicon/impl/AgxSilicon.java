package kiln.agx.silicon.impl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.silicon.Asc;
import kiln.agx.api.silicon.ComputeUnit;
import kiln.agx.api.silicon.FragmentUnit;
import kiln.agx.api.silicon.TilerUnit;
import kiln.agx.api.silicon.Mmio;
import kiln.agx.api.silicon.ReservedRegion;
import kiln.agx.api.silicon.Silicon;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.drm.api.DrmException;
import kiln.drm.api.memory.PhysicalMemory;
import kiln.drm.api.memory.PhysicalPages;

/**
 * One powered-on part. Power-on takes the bootloader's reserved regions from physical memory
 * (one zeroed page each, as m1n1 carves them out), builds the register file for the enabled
 * cores and starts a fixed pool of daemon host workers; power-off stops the workers (running
 * dispatches end {@code CANCELLED}) and returns the regions.
 */
public final class AgxSilicon implements Silicon {
    private final HwConfig hw;
    private final Registers registers;
    private final UatUnit uat;
    private final ComputeMaster compute;
    private final TilerEngine tiler;
    private final AscCore asc;
    private final FragmentEngine fragment;
    private final List<PhysicalPages> regionPages;
    private final List<ReservedRegion> regions;
    private final ThreadPoolExecutor workers;
    private final long powerOnNanos = System.nanoTime();
    private volatile boolean off;

    private AgxSilicon(HwConfig hw, List<Integer> coreMasks, List<PhysicalPages> regionPages,
            List<ReservedRegion> regions, PhysicalMemory memory, int hostWorkers) {
        this.hw = hw;
        this.regionPages = regionPages;
        this.regions = regions;
        this.registers = new Registers(hw, coreMasks);
        this.uat = new UatUnit(memory, reservedRegion(ReservedRegion.TTBS).physicalAddress(), hw, registers);
        List<ComputeMaster.EnabledCore> cores = new ArrayList<>();
        for (int cluster = 0; cluster < hw.maxClusters(); cluster++) {
            for (int core = 0; core < hw.maxCoresPerCluster(); core++) {
                if ((coreMasks.get(cluster) >>> core & 1) != 0) {
                    cores.add(new ComputeMaster.EnabledCore(cluster, core));
                }
            }
        }
        this.compute = new ComputeMaster(this, cores);
        this.tiler = new TilerEngine(this);
        this.fragment = new FragmentEngine(this, cores);
        this.asc = new AscCore(this);
        registers.onCpuControl(asc::cpuControl);
        AtomicInteger threadNumber = new AtomicInteger();
        String name = String.format("agx-%x-worker-", hw.chipId());
        this.workers = new ThreadPoolExecutor(hostWorkers, hostWorkers, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread t = new Thread(task, name + threadNumber.getAndIncrement());
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Powers on a part of chip {@code hw}.
     *
     * @throws DrmException ENOMEM if the reserved regions cannot be allocated
     * @throws IllegalArgumentException for core masks that do not fit the chip
     */
    public static AgxSilicon powerOn(HwConfig hw, PhysicalMemory memory, SiliconOptions options) throws DrmException {
        List<Integer> masks = coreMasks(hw, options.coreMasks());
        List<PhysicalPages> pages = new ArrayList<>();
        List<ReservedRegion> regions = new ArrayList<>();
        try {
            for (String name : List.of(ReservedRegion.HANDOFF, ReservedRegion.TTBS, ReservedRegion.PAGETABLES)) {
                PhysicalPages region = memory.allocate(PhysicalMemory.PAGE_SIZE);
                pages.add(region);
                regions.add(new ReservedRegion(name, region.pageAddress(0), region.size()));
            }
        } catch (DrmException e) {
            pages.forEach(PhysicalPages::close);
            throw e;
        }
        return new AgxSilicon(hw, masks, List.copyOf(pages), List.copyOf(regions), memory, options.hostWorkers());
    }

    private static List<Integer> coreMasks(HwConfig hw, List<Integer> requested) {
        int all = (1 << hw.maxCoresPerCluster()) - 1;
        if (requested.isEmpty()) {
            return Collections.nCopies(hw.maxClusters(), all);
        }
        if (requested.size() != hw.maxClusters()) {
            throw new IllegalArgumentException("one core mask per cluster (" + hw.maxClusters() + ") expected: " + requested);
        }
        int enabled = 0;
        for (int mask : requested) {
            if ((mask & ~all) != 0) {
                throw new IllegalArgumentException(String.format("core mask 0x%x names cores the cluster lacks", mask));
            }
            enabled += Integer.bitCount(mask);
        }
        if (enabled == 0) {
            throw new IllegalArgumentException("no core enabled");
        }
        return List.copyOf(requested);
    }

    @Override
    public HwConfig hwConfig() {
        return hw;
    }

    @Override
    public Mmio mmio() {
        return registers;
    }

    Registers registers() {
        return registers;
    }

    /** The memory of reserved region {@code name} (the ASC's boot-time mapping of it). */
    java.lang.foreign.MemorySegment regionMemory(String name) {
        for (int i = 0; i < regions.size(); i++) {
            if (regions.get(i).name().equals(name)) {
                return regionPages.get(i).memory();
            }
        }
        throw new IllegalArgumentException("no reserved region " + name);
    }

    @Override
    public List<ReservedRegion> reservedRegions() {
        return regions;
    }

    @Override
    public UatUnit uat() {
        return uat;
    }

    @Override
    public ComputeUnit compute() {
        return compute;
    }

    @Override
    public Asc asc() {
        return asc;
    }

    @Override
    public TilerUnit tiler() {
        return tiler;
    }

    @Override
    public FragmentUnit fragment() {
        return fragment;
    }

    @Override
    public long timestamp() {
        return (System.nanoTime() - powerOnNanos) * hw.baseClockHz() / 1_000_000_000L;
    }

    ExecutorService workers() {
        return workers;
    }

    boolean isOff() {
        return off;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (off) {
                return;
            }
            off = true;
        }
        asc.powerOff();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        regionPages.forEach(PhysicalPages::close);
    }
}
