package kiln.agx.g14.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;

import org.junit.jupiter.api.Test;

import kiln.agx.api.hw.FirmwareCoreId;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.HwConfig;

/** The M2's hardware table, pinned against drm-asahi's {@code HWCONFIG_T8112} (reference notes, 4.3). */
class G14HwConfigTest {
    @Test
    void t8112() {
        T8112 core = new T8112();
        HwConfig hw = core.hwConfig();
        assertEquals(0x8112, hw.chipId());
        assertEquals(GpuGen.G14, hw.generation());
        assertEquals(FirmwareCoreId.G14G, hw.firmwareCore());
        assertEquals(15, hw.firmwareCore().value());
        assertEquals(Set.of(), hw.incompatibleFeatures());
        assertEquals(40, hw.uatOutputAddressBits());
        assertEquals(1, hw.maxClusters());
        assertEquals(10, hw.maxCoresPerCluster(), "G14 clusters have 10 cores, G13 ones 8");
        assertEquals(10, hw.maxFragmentUnitsPerCluster());
        assertEquals(4, hw.maxGeometryPipesPerCluster());
        assertEquals(0xa041, hw.tilingControl());
        assertEquals(0x6800L, hw.fastDie0SensorMask());
        assertEquals(0x02, hw.fastDie0SensorPresent());
        assertEquals(41.666, hw.nanosPerTick(), 0.001);
        assertEquals(core.chip().chipId(), hw.chipId());
        assertEquals(1_398_000_000L, hw.maxFrequencyHz());
        assertEquals(9, hw.performanceStates().size());
        assertEquals(Set.of(kiln.agx.api.hw.JobParameterField.UNK_58_G14_0, kiln.agx.api.hw.JobParameterField.UNK_58_G14_8,
                kiln.agx.api.hw.JobParameterField.UNK_68_G14_0), hw.jobParameterFields());
        assertEquals(0x0404_0404L, kiln.agx.api.hw.JobParameterField.UNK_58_G14_0.fixedValue());
        assertEquals(false, hw.clustered(), "M2 is single-cluster");
    }
}
