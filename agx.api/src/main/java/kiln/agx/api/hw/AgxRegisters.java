package kiln.agx.api.hw;

/**
 * MMIO register offsets drm-asahi uses ({@code regs.rs}), by region. The SGX region is the GPU's
 * (platform resource 1, 16 MiB); the ASC region is its coprocessor's control block (resource 0,
 * 16 KiB). Field layouts are on each constant; values per chip come from the silicon.
 */
public final class AgxRegisters {
    private AgxRegisters() {
    }

    /** Size of the ASC control region in bytes. */
    public static final int ASC_REGION_BYTES = 0x4000;
    /** Size of the SGX region in bytes. */
    public static final int SGX_REGION_BYTES = 0x100_0000;

    /** ASC: CPU control. Setting {@link #CPU_RUN} starts the coprocessor; clearing it stops it. */
    public static final int CPU_CONTROL = 0x44;
    /** ASC: the run bit of {@link #CPU_CONTROL}. */
    public static final int CPU_RUN = 1 << 4;

    /** SGX: [31:24] generation (4 = G13, 5 = G14), [23:16] variant (1 P, 2 G, 3 S, 4 C/D), [15:8] revision (BCD). */
    public static final int ID_VERSION = 0xd04000;
    /** SGX: unknown identification word. */
    public static final int ID_UNK08 = 0xd04008;
    /** SGX: [7:0] cores per cluster, [15:8] fragment units per cluster. */
    public static final int ID_COUNTS_1 = 0xd04010;
    /** SGX: [23:16] geometry pipes per cluster. */
    public static final int ID_COUNTS_2 = 0xd04014;
    /** SGX: unknown identification word. */
    public static final int ID_UNK18 = 0xd04018;
    /** SGX: [19:12] clusters, [23:20] maximum dies. */
    public static final int ID_CLUSTERS = 0xd0401c;
    /** SGX: low 32 bits of the packed core mask (cores-per-cluster bits per cluster, cluster 0 lowest). */
    public static final int CORE_MASK_0 = 0xd01500;
    /** SGX: high 32 bits of the packed core mask. */
    public static final int CORE_MASK_1 = 0xd01514;
    /** SGX: the UAT fault register, 64 bits; see {@link FaultInfo}. */
    public static final int FAULT_INFO = FaultInfo.REGISTER_OFFSET;
}
