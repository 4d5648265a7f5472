package kiln.agx.api.hw;

import java.util.EnumSet;
import java.util.Set;

/**
 * The job-parameter fields that exist on one GPU generation only ({@code #[ver(G < G14)]} and
 * {@code #[ver(G >= G14)]} in drm-asahi's firmware structures, reference notes 3.3). The
 * firmware bundles lay them out; the driver fills them; the core tells both which apply through
 * {@link HwConfig#jobParameterFields()}. Fields that depend on the firmware version as well are
 * the firmware bundles' business, not listed here.
 */
public enum JobParameterField {
    /** Vertex {@code JobParameters1.tvb_cluster_tilemaps}: per-cluster tile maps (G13 parts can be multi-cluster). */
    TVB_CLUSTER_TILEMAPS(Stage.VERTEX, GpuGen.G13, null),
    /** Vertex {@code JobParameters1.tvb_cluster_meta1}. */
    TVB_CLUSTER_META1(Stage.VERTEX, GpuGen.G13, null),
    /** Vertex {@code JobParameters1.tvb_cluster_meta2}. */
    TVB_CLUSTER_META2(Stage.VERTEX, GpuGen.G13, null),
    /** Vertex {@code JobParameters1.tvb_cluster_meta3}. */
    TVB_CLUSTER_META3(Stage.VERTEX, GpuGen.G13, null),
    /** Vertex {@code JobParameters1.tvb_cluster_meta4}. */
    TVB_CLUSTER_META4(Stage.VERTEX, GpuGen.G13, null),
    /** Vertex {@code JobParameters1.unk_60}. */
    UNK_60(Stage.VERTEX, GpuGen.G13, null),
    /** Vertex {@code JobParameters1.core_mask}: the packed core masks, two words. */
    CORE_MASK(Stage.VERTEX, GpuGen.G13, null),
    /** Vertex {@code JobParameters1.tiling_control}: {@link HwConfig#tilingControl()}, bit 0 set to disable clustering. */
    TILING_CONTROL(Stage.VERTEX, GpuGen.G13, null),
    /** Vertex {@code JobParameters1.unk_ac}. */
    UNK_AC(Stage.VERTEX, GpuGen.G13, null),
    /** Vertex {@code JobParameters1.unk_f0}: {@code 0x1c + align(meta1_blocks, 4)}. */
    UNK_F0(Stage.VERTEX, GpuGen.G13, null),
    /** Fragment {@code JobParameters1.unk_58_g14_0}, always {@code 0x4040404}. */
    UNK_58_G14_0(Stage.FRAGMENT, GpuGen.G14, 0x0404_0404L),
    /** Fragment {@code JobParameters1.unk_58_g14_8}, always 0. */
    UNK_58_G14_8(Stage.FRAGMENT, GpuGen.G14, 0L),
    /** Fragment {@code JobParameters1.unk_68_g14_0}. */
    UNK_68_G14_0(Stage.FRAGMENT, GpuGen.G14, null);

    /** Which command's parameters hold the field. */
    public enum Stage {
        /** {@code RunVertex}. */
        VERTEX,
        /** {@code RunFragment}. */
        FRAGMENT
    }

    private final Stage stage;
    private final GpuGen generation;
    private final Long fixedValue;

    JobParameterField(Stage stage, GpuGen generation, Long fixedValue) {
        this.stage = stage;
        this.generation = generation;
        this.fixedValue = fixedValue;
    }

    /** The command whose parameters hold the field. */
    public Stage stage() {
        return stage;
    }

    /** The only generation that has the field. */
    public GpuGen generation() {
        return generation;
    }

    /** The constant the driver always writes, or {@code null} where it computes the value. */
    public Long fixedValue() {
        return fixedValue;
    }

    /** The fields a generation has. */
    public static Set<JobParameterField> of(GpuGen generation) {
        Set<JobParameterField> fields = EnumSet.noneOf(JobParameterField.class);
        for (JobParameterField field : values()) {
            if (field.generation == generation) {
                fields.add(field);
            }
        }
        return fields;
    }
}
