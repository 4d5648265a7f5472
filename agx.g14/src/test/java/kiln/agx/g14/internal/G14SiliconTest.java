package kiln.agx.g14.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;


import org.junit.jupiter.api.Test;

import kiln.agx.api.hw.AgxRegisters;
import kiln.agx.api.hw.GpuRevision;
import kiln.agx.api.silicon.MmioRegion;
import kiln.agx.api.silicon.Silicon;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.drm.impl.gem.PagePool;

/** The M2's silicon: generation 5 in ID_VERSION and ten cores in its one cluster. */
class G14SiliconTest {
    @Test
    void identificationRegisters() throws Exception {
        PagePool memory = PagePool.withLimit(16);
        try (Silicon m2 = new T8112().powerOn(memory, SiliconOptions.defaults())) {
            int version = m2.mmio().read32(MmioRegion.SGX, AgxRegisters.ID_VERSION);
            assertEquals(5, version >>> 24, "G14");
            assertEquals(2, version >>> 16 & 0xff, "variant G");
            assertEquals(GpuRevision.A1, GpuRevision.ofUabi(version >>> 8 & 0xff));
            assertEquals(0x0a0a, m2.mmio().read32(MmioRegion.SGX, AgxRegisters.ID_COUNTS_1), "10 cores, 10 fragment units");
            assertEquals(0x3ff, m2.mmio().read32(MmioRegion.SGX, AgxRegisters.CORE_MASK_0));
            assertEquals(0x0010_1000, m2.mmio().read32(MmioRegion.SGX, AgxRegisters.ID_CLUSTERS));
        }
    }
}
