package kiln.agx.silicon.impl;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

import kiln.agx.api.hw.AgxRegisters;
import kiln.agx.api.hw.GpuVariant;
import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.silicon.Mmio;
import kiln.agx.api.silicon.MmioRegion;

/**
 * The register file. Identification registers are computed once from the chip and the enabled
 * cores; {@code CPU_CONTROL} is stored and reported to a listener (the ASC); {@code FAULT_INFO}
 * latches the first fault until software writes the register (any value clears it: the real
 * clearing protocol is not documented, so this is Kiln's).
 */
final class Registers implements Mmio {
    private final int idVersion;
    private final int idCounts1;
    private final int idCounts2;
    private final int idClusters;
    private final long coreMask;
    private final AtomicLong faultInfo = new AtomicLong();
    private volatile int cpuControl;
    private volatile IntConsumer cpuControlListener = value -> { };

    Registers(HwConfig hw, List<Integer> coreMasks) {
        int variantCode = switch (hw.variant()) {
            case P -> 1;
            case G -> 2;
            case S -> 3;
            case C, D -> 4;
        };
        this.idVersion = hw.generation().idVersionCode() << 24 | variantCode << 16 | hw.revision().uabi() << 8;
        this.idCounts1 = hw.maxFragmentUnitsPerCluster() << 8 | hw.maxCoresPerCluster();
        this.idCounts2 = hw.maxGeometryPipesPerCluster() << 16;
        this.idClusters = hw.dies() << 20 | hw.maxClusters() << 12;
        long packed = 0;
        for (int cluster = 0; cluster < coreMasks.size(); cluster++) {
            packed |= (coreMasks.get(cluster) & ((1L << hw.maxCoresPerCluster()) - 1))
                    << (cluster * hw.maxCoresPerCluster());
        }
        this.coreMask = packed;
        assert hw.variant() != GpuVariant.D || hw.maxClusters() > 4 : "D parts decode from more than 4 clusters";
    }

    void onCpuControl(IntConsumer listener) {
        cpuControlListener = listener;
    }

    /** Latches a fault if none is latched; returns whether this one was. */
    boolean latchFault(long encoded) {
        long current;
        do {
            current = faultInfo.get();
            if ((current & 1) != 0) {
                return false;
            }
        } while (!faultInfo.compareAndSet(current, encoded));
        return true;
    }

    @Override
    public int read32(MmioRegion region, int offset) {
        check(region, offset);
        if (region == MmioRegion.ASC) {
            return offset == AgxRegisters.CPU_CONTROL ? cpuControl : 0;
        }
        return switch (offset) {
            case AgxRegisters.ID_VERSION -> idVersion;
            case AgxRegisters.ID_COUNTS_1 -> idCounts1;
            case AgxRegisters.ID_COUNTS_2 -> idCounts2;
            case AgxRegisters.ID_CLUSTERS -> idClusters;
            case AgxRegisters.CORE_MASK_0 -> (int) coreMask;
            case AgxRegisters.CORE_MASK_1 -> (int) (coreMask >>> 32);
            case AgxRegisters.FAULT_INFO -> (int) faultInfo.get();
            case AgxRegisters.FAULT_INFO + 4 -> (int) (faultInfo.get() >>> 32);
            default -> 0;
        };
    }

    @Override
    public void write32(MmioRegion region, int offset, int value) {
        check(region, offset);
        if (region == MmioRegion.ASC && offset == AgxRegisters.CPU_CONTROL) {
            cpuControl = value;
            cpuControlListener.accept(value);
        } else if (region == MmioRegion.SGX && (offset == AgxRegisters.FAULT_INFO || offset == AgxRegisters.FAULT_INFO + 4)) {
            faultInfo.set(0);
        }
    }

    @Override
    public long read64(MmioRegion region, int offset) {
        return Integer.toUnsignedLong(read32(region, offset)) | (long) read32(region, offset + 4) << 32;
    }

    @Override
    public void write64(MmioRegion region, int offset, long value) {
        write32(region, offset, (int) value);
        write32(region, offset + 4, (int) (value >>> 32));
    }

    private static void check(MmioRegion region, int offset) {
        if ((offset & 3) != 0 || offset < 0 || offset > region.bytes() - 4) {
            throw new IllegalArgumentException(String.format("bus error: %s+0x%x", region, offset));
        }
    }
}
