package kiln.agx.g13.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import kiln.agx.api.core.GpuCore;
import kiln.agx.api.hw.AgxRegisters;
import kiln.agx.api.silicon.MmioRegion;
import kiln.agx.api.silicon.ReservedRegion;
import kiln.agx.api.silicon.Silicon;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.drm.api.memory.PhysicalMemory;
import kiln.drm.impl.gem.PagePool;

/** The G13 chips' silicon: MMIO identification and core-mask registers at the real offsets with each chip's values. */
class G13SiliconTest {
    static PhysicalMemory memory() {
        return PagePool.withLimit(16);
    }

    @Test
    void identificationRegistersPerChip() throws Exception {
        // chip, ID_VERSION, ID_COUNTS_1, ID_COUNTS_2, ID_CLUSTERS, CORE_MASK_0, CORE_MASK_1
        int[][] expected = {
            {0x8103, 0x0402_1100, 0x0808, 0x4_0000, 0x0010_1000, 0xff, 0},
            {0x6000, 0x0403_2000, 0x0808, 0x4_0000, 0x0010_2000, 0xffff, 0},
            {0x6001, 0x0404_2000, 0x0808, 0x4_0000, 0x0010_4000, 0xffff_ffff, 0},
            {0x6002, 0x0404_2000, 0x0808, 0x4_0000, 0x0020_8000, 0xffff_ffff, 0xffff_ffff},
        };
        List<GpuCore> cores = List.of(new T8103(), new T6000(), new T6001(), new T6002());
        PhysicalMemory memory = memory();
        for (int i = 0; i < cores.size(); i++) {
            int[] e = expected[i];
            try (Silicon silicon = cores.get(i).powerOn(memory, SiliconOptions.defaults().withHostWorkers(1))) {
                String chip = Integer.toHexString(e[0]);
                assertEquals(e[1], silicon.mmio().read32(MmioRegion.SGX, AgxRegisters.ID_VERSION), chip);
                assertEquals(e[2], silicon.mmio().read32(MmioRegion.SGX, AgxRegisters.ID_COUNTS_1), chip);
                assertEquals(e[3], silicon.mmio().read32(MmioRegion.SGX, AgxRegisters.ID_COUNTS_2), chip);
                assertEquals(e[4], silicon.mmio().read32(MmioRegion.SGX, AgxRegisters.ID_CLUSTERS), chip);
                assertEquals(e[5], silicon.mmio().read32(MmioRegion.SGX, AgxRegisters.CORE_MASK_0), chip);
                assertEquals(e[6], silicon.mmio().read32(MmioRegion.SGX, AgxRegisters.CORE_MASK_1), chip);
                assertEquals(0, silicon.mmio().read64(MmioRegion.SGX, AgxRegisters.FAULT_INFO), chip);
            }
        }
        assertEquals(0, memory.usedBytes(), "power-off returns the reserved regions");
    }

    @Test
    void aBinnedSevenCoreM1ReportsItsMask() throws Exception {
        try (Silicon m1 = new T8103().powerOn(memory(), SiliconOptions.defaults().withCoreMasks(List.of(0x7f)))) {
            assertEquals(0x7f, m1.mmio().read32(MmioRegion.SGX, AgxRegisters.CORE_MASK_0));
        }
        assertThrows(IllegalArgumentException.class,
                () -> new T8103().powerOn(memory(), SiliconOptions.defaults().withCoreMasks(List.of(0x1ff))));
        assertThrows(IllegalArgumentException.class,
                () -> new T6000().powerOn(memory(), SiliconOptions.defaults().withCoreMasks(List.of(0xff))));
    }

    @Test
    void ascControlAndBusErrors() throws Exception {
        try (Silicon silicon = new T6002().powerOn(memory(), SiliconOptions.defaults())) {
            assertEquals(0, silicon.mmio().read32(MmioRegion.ASC, AgxRegisters.CPU_CONTROL));
            silicon.mmio().write32(MmioRegion.ASC, AgxRegisters.CPU_CONTROL, AgxRegisters.CPU_RUN);
            assertEquals(AgxRegisters.CPU_RUN, silicon.mmio().read32(MmioRegion.ASC, AgxRegisters.CPU_CONTROL));
            silicon.mmio().write32(MmioRegion.SGX, AgxRegisters.ID_VERSION, 0);
            assertEquals(0x0404_2000, silicon.mmio().read32(MmioRegion.SGX, AgxRegisters.ID_VERSION), "read-only");
            assertEquals(0, silicon.mmio().read32(MmioRegion.SGX, 0x1000), "unmodelled registers read 0");
            assertThrows(IllegalArgumentException.class, () -> silicon.mmio().read32(MmioRegion.SGX, 0x100_0000));
            assertThrows(IllegalArgumentException.class, () -> silicon.mmio().read32(MmioRegion.ASC, 0x4000));
            assertThrows(IllegalArgumentException.class, () -> silicon.mmio().read32(MmioRegion.SGX, 2));
            Set<String> names = silicon.reservedRegions().stream().map(ReservedRegion::name).collect(Collectors.toSet());
            assertEquals(Set.of("handoff", "ttbs", "pagetables"), names);
        }
    }
}
