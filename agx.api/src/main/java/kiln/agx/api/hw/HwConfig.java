package kiln.agx.api.hw;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The static description of one chip ({@code HwConfig} in drm-asahi {@code hw/*.rs}): what the
 * silicon is built as, independent of which cores a given part has fused on (that comes from the
 * MMIO core masks). Every value here is the real driver's for the chip; field names carry their
 * unit.
 *
 * @param chipId                   the SoC id, e.g. {@code 0x8103}
 * @param generation               G13 or G14
 * @param variant                  G, S, C or D
 * @param firmwareCore             the firmware ABI's core id
 * @param incompatibleFeatures     what userspace must support ({@code gpu_feat_incompat})
 * @param baseClockHz              the timekeeping clock (24 MHz on every chip): GPU timestamps tick at it
 * @param uatOutputAddressBits     physical address bits the UAT can produce ({@code uat_oas}; also the DMA mask)
 * @param dies                     dies in the package (2 on the M1 Ultra)
 * @param maxClusters              clusters the design has (across all dies)
 * @param maxCoresPerCluster       shader cores per cluster
 * @param maxFragmentUnitsPerCluster fragment units per cluster ({@code max_num_frags})
 * @param maxGeometryPipesPerCluster geometry pipes per cluster ({@code max_num_gps})
 * @param preempt1Bytes            first preemption buffer size, bytes
 * @param preempt2Bytes            second preemption buffer size, bytes
 * @param preempt3Bytes            third preemption buffer size, bytes
 * @param tilingControl            the {@code tiling_control} register value the firmware is given
 * @param sramK                    the SRAM coefficient of the power model ({@code sram_k})
 * @param fastDie0SensorMask       {@code fast_die0_sensor_mask}
 * @param fastDie0SensorMaskAlt    {@code fast_die0_sensor_mask_alt}
 * @param fastDie0SensorPresent    {@code fast_die0_sensor_present}
 * @param revision                 the silicon revision the simulated part reports in {@code ID_VERSION}
 *                                 (real parts of one chip ship in several; each core bundle picks one)
 * @param performanceStates        the operating points, state 0 (off) first; voltages have one entry per cluster
 */
public record HwConfig(int chipId, GpuGen generation, GpuVariant variant, FirmwareCoreId firmwareCore,
        Set<IncompatibleFeature> incompatibleFeatures, long baseClockHz, int uatOutputAddressBits, int dies,
        int maxClusters, int maxCoresPerCluster, int maxFragmentUnitsPerCluster, int maxGeometryPipesPerCluster,
        int preempt1Bytes, int preempt2Bytes, int preempt3Bytes, int tilingControl, float sramK,
        long fastDie0SensorMask, long fastDie0SensorMaskAlt, int fastDie0SensorPresent, GpuRevision revision,
        List<PerformanceState> performanceStates) {

    /** The UAT page size on every AGX: 16 KiB. */
    public static final int UAT_PAGE_BYTES = 16 * 1024;
    /** UAT translation levels. */
    public static final int UAT_LEVELS = 3;
    /** Input address bits of a user VM ({@code UAT_IAS}). */
    public static final int UAT_USER_INPUT_ADDRESS_BITS = 39;
    /** UAT context slots ({@code UAT_NUM_CTX}); slot 0 is the kernel's. */
    public static final int UAT_CONTEXTS = 64;

    public HwConfig {
        Objects.requireNonNull(generation, "generation");
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(firmwareCore, "firmwareCore");
        Objects.requireNonNull(revision, "revision");
        incompatibleFeatures = Set.copyOf(incompatibleFeatures);
        performanceStates = List.copyOf(performanceStates);
        if (performanceStates.size() < 2 || performanceStates.get(0).frequencyHz() != 0) {
            throw new IllegalArgumentException("need the off state and at least one running state");
        }
        for (PerformanceState state : performanceStates) {
            if (state.voltageMillivolts().size() != maxClusters) {
                throw new IllegalArgumentException("one voltage per cluster (" + maxClusters + ") expected: " + state);
            }
        }
        if (dies < 1 || maxClusters < 1 || maxCoresPerCluster < 1 || maxClusters * maxCoresPerCluster > 64) {
            throw new IllegalArgumentException("impossible geometry: " + dies + " dies, " + maxClusters + " clusters x "
                    + maxCoresPerCluster + " cores");
        }
    }

    /** Shader cores the design has in total (the marketing count may be lower: fused-off cores). */
    public int maxCores() {
        return maxClusters * maxCoresPerCluster;
    }

    /** The job-parameter fields that exist only on this chip's generation. */
    public Set<JobParameterField> jobParameterFields() {
        return JobParameterField.of(generation);
    }

    /** Whether the chip has more than one cluster, so the tiler can cluster (G13 S/C/D parts). */
    public boolean clustered() {
        return maxClusters > 1;
    }

    /** The highest operating point's clock, Hz. */
    public long maxFrequencyHz() {
        return performanceStates.get(performanceStates.size() - 1).frequencyHz();
    }

    /** One tick of the GPU timestamp clock, in nanoseconds (41.67 ns at 24 MHz). */
    public double nanosPerTick() {
        return 1e9 / baseClockHz;
    }
}
