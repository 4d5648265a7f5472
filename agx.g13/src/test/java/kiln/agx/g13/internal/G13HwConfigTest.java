package kiln.agx.g13.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import kiln.agx.api.core.GpuCore;
import kiln.agx.api.hw.FirmwareCoreId;
import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.hw.IncompatibleFeature;

/** The G13 chips' hardware tables, pinned against drm-asahi's values (reference notes, 4.3). */
class G13HwConfigTest {
    private static final List<GpuCore> CORES = List.of(new T8103(), new T6000(), new T6001(), new T6002());

    @Test
    void geometryPerChip() {
        int[][] expected = {
            // chip, uat_oas, dies, clusters, cores/cluster, tiling_control, sensor_present
            {0x8103, 40, 1, 1, 8, 0xa041, 0x01},
            {0x6000, 42, 1, 2, 8, 0xa540, 0x03},
            {0x6001, 42, 1, 4, 8, 0xa540, 0x0f},
            {0x6002, 42, 2, 8, 8, 0xa540, 0xff},
        };
        for (int i = 0; i < CORES.size(); i++) {
            HwConfig hw = CORES.get(i).hwConfig();
            int[] e = expected[i];
            String chip = Integer.toHexString(e[0]);
            assertEquals(e[0], hw.chipId(), chip);
            assertEquals(e[1], hw.uatOutputAddressBits(), chip);
            assertEquals(e[2], hw.dies(), chip);
            assertEquals(e[3], hw.maxClusters(), chip);
            assertEquals(e[4], hw.maxCoresPerCluster(), chip);
            assertEquals(8, hw.maxFragmentUnitsPerCluster(), chip);
            assertEquals(4, hw.maxGeometryPipesPerCluster(), chip);
            assertEquals(e[5], hw.tilingControl(), chip);
            assertEquals(e[6], hw.fastDie0SensorPresent(), chip);
            assertEquals(24_000_000L, hw.baseClockHz());
            assertEquals(0x540, hw.preempt1Bytes());
            assertEquals(0x280, hw.preempt2Bytes());
            assertEquals(0x20, hw.preempt3Bytes());
        }
        assertEquals(64, new T6002().hwConfig().maxCores(), "M1 Ultra: 8 clusters x 8 cores");
        assertEquals(0x9090909090909090L, new T6002().hwConfig().fastDie0SensorMaskAlt());
    }

    @Test
    void firmwareCoreIdsAndFeatures() {
        assertEquals(FirmwareCoreId.G13G, new T8103().hwConfig().firmwareCore());
        assertEquals(FirmwareCoreId.G13S, new T6000().hwConfig().firmwareCore());
        assertEquals(FirmwareCoreId.G13C, new T6001().hwConfig().firmwareCore());
        assertEquals(FirmwareCoreId.G13C, new T6002().hwConfig().firmwareCore(), "M1 Ultra reports G13C");
        assertEquals(11, FirmwareCoreId.G13G.value());
        assertEquals(Set.of(), new T8103().hwConfig().incompatibleFeatures());
        for (GpuCore core : CORES.subList(1, 4)) {
            assertEquals(Set.of(IncompatibleFeature.MANDATORY_ZS_COMPRESSION), core.hwConfig().incompatibleFeatures());
            assertEquals(1L, IncompatibleFeature.mask(core.hwConfig().incompatibleFeatures()));
        }
    }

    @Test
    void operatingPointsHaveOneVoltagePerClusterAndTheRealClocks() {
        for (GpuCore core : CORES) {
            HwConfig hw = core.hwConfig();
            assertEquals(0, hw.performanceStates().get(0).frequencyHz(), "state 0 is off");
            hw.performanceStates().forEach(s -> assertEquals(hw.maxClusters(), s.voltageMillivolts().size()));
        }
        assertEquals(1_278_000_000L, new T8103().hwConfig().maxFrequencyHz());
        assertEquals(396_000_000L, new T8103().hwConfig().performanceStates().get(1).frequencyHz());
        assertEquals(1_296_000_000L, new T6002().hwConfig().maxFrequencyHz());
    }

    @Test
    void g13OnlyJobParametersAndClustering() {
        for (GpuCore core : CORES) {
            var fields = core.hwConfig().jobParameterFields();
            assertEquals(true, fields.contains(kiln.agx.api.hw.JobParameterField.CORE_MASK));
            assertEquals(true, fields.contains(kiln.agx.api.hw.JobParameterField.TILING_CONTROL));
            assertEquals(false, fields.contains(kiln.agx.api.hw.JobParameterField.UNK_58_G14_0));
        }
        assertEquals(false, new T8103().hwConfig().clustered());
        assertEquals(true, new T6000().hwConfig().clustered());
        assertEquals(2, new T6002().hwConfig().dies(), "M1 Ultra: two dies");
    }

    @Test
    void tablesAgreeWithTheChipIdentity() {
        for (GpuCore core : CORES) {
            assertEquals(core.chip().chipId(), core.hwConfig().chipId());
            assertEquals(core.chip().generation(), core.hwConfig().generation());
            assertEquals(core.chip().variant(), core.hwConfig().variant());
        }
    }
}
