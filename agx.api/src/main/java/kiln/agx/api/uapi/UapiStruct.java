package kiln.agx.api.uapi;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * The structs of the RFC asahi UAPI ({@code include/uapi/drm/asahi_drm.h}, version
 * {@value AsahiUapi#UNSTABLE_UABI_VERSION}) as they lie in client memory: C layout on LP64,
 * little-endian, field order and names exact. Sizes are the reference's derived ones (pinned by
 * tests). {@link #offset} is a map lookup; hot paths still keep the result in a constant.
 */
public enum UapiStruct {
    GET_PARAMS(structLayout(u64("extensions"), u32("param_group"), u32("pad"), u64("pointer"), u64("size"))),
    PARAMS_GLOBAL(structLayout(u32("unstable_uabi_version"), u32("pad0"), u64("feat_compat"), u64("feat_incompat"),
            u32("gpu_generation"), u32("gpu_variant"), u32("gpu_revision"), u32("chip_id"), u32("num_dies"),
            u32("num_clusters_total"), u32("num_cores_per_cluster"), u32("num_frags_per_cluster"),
            u32("num_gps_per_cluster"), u32("num_cores_total_active"),
            sequenceLayout(AsahiUapi.MAX_CLUSTERS, ValueLayout.JAVA_LONG).withName("core_masks"),
            u32("vm_page_size"), u32("pad1"), u64("vm_user_start"), u64("vm_user_end"), u64("vm_shader_start"),
            u64("vm_shader_end"), u32("max_syncs_per_submission"), u32("max_commands_per_submission"),
            u32("max_commands_in_flight"), u32("max_attachments"), u32("timer_frequency_hz"), u32("min_frequency_khz"),
            u32("max_frequency_khz"), u32("max_power_mw"), u32("result_render_size"), u32("result_compute_size"))),
    VM_CREATE(structLayout(u64("extensions"), u32("vm_id"), u32("pad"))),
    VM_DESTROY(structLayout(u64("extensions"), u32("vm_id"), u32("pad"))),
    GEM_CREATE(structLayout(u64("extensions"), u64("size"), u32("flags"), u32("vm_id"), u32("handle"), paddingLayout(4))),
    GEM_MMAP_OFFSET(structLayout(u64("extensions"), u32("handle"), u32("flags"), u64("offset"))),
    GEM_BIND(structLayout(u64("extensions"), u32("op"), u32("flags"), u32("handle"), u32("vm_id"), u64("offset"),
            u64("range"), u64("addr"))),
    QUEUE_CREATE(structLayout(u64("extensions"), u32("flags"), u32("vm_id"), u32("queue_caps"), u32("priority"),
            u32("queue_id"), paddingLayout(4))),
    QUEUE_DESTROY(structLayout(u64("extensions"), u32("queue_id"), paddingLayout(4))),
    SYNC(structLayout(u64("extensions"), u32("sync_type"), u32("handle"), u64("timeline_value"))),
    COMMAND(structLayout(u64("extensions"), u32("cmd_type"), u32("flags"), u64("cmd_buffer"), u64("cmd_buffer_size"),
            u64("result_offset"), u64("result_size"), sequenceLayout(2, ValueLayout.JAVA_INT).withName("barriers"))),
    SUBMIT(structLayout(u64("extensions"), u64("in_syncs"), u64("out_syncs"), u64("commands"), u32("flags"),
            u32("queue_id"), u32("result_handle"), u32("in_sync_count"), u32("out_sync_count"), u32("command_count"))),
    ATTACHMENT(structLayout(u32("type"), u32("size"), u64("pointer"))),
    CMD_RENDER(structLayout(u64("extensions"), u64("flags"), u64("encoder_ptr"), u64("attachments"),
            u32("attachment_count"), u32("pad"), u64("depth_buffer_1"), u64("depth_buffer_2"), u64("depth_buffer_3"),
            u64("depth_meta_buffer_1"), u64("depth_meta_buffer_2"), u64("depth_meta_buffer_3"), u64("stencil_buffer_1"),
            u64("stencil_buffer_2"), u64("stencil_buffer_3"), u64("stencil_meta_buffer_1"), u64("stencil_meta_buffer_2"),
            u64("stencil_meta_buffer_3"), u64("scissor_array"), u64("depth_bias_array"), u64("visibility_result_buffer"),
            u64("zls_ctrl"), u64("ppp_multisamplectl"), u32("ppp_ctrl"), u32("fb_width"), u32("fb_height"),
            u32("utile_width"), u32("utile_height"), u32("samples"), u32("layers"), u32("encoder_id"), u32("cmd_ta_id"),
            u32("cmd_3d_id"), u32("iogpu_unk_49"), u32("iogpu_unk_212"), u32("iogpu_unk_214"), u32("merge_upper_x"),
            u32("merge_upper_y"), u32("load_pipeline"), u32("load_pipeline_bind"), u32("store_pipeline"),
            u32("store_pipeline_bind"), u32("partial_reload_pipeline"), u32("partial_reload_pipeline_bind"),
            u32("partial_store_pipeline"), u32("partial_store_pipeline_bind"), u32("depth_dimensions"),
            u32("isp_bgobjdepth"), u32("isp_bgobjvals"))),
    CMD_COMPUTE(structLayout(u64("flags"), u64("encoder_ptr"), u64("encoder_end"), u64("attachments"),
            u32("attachment_count"), u32("pad"), u64("buffer_descriptor"), u32("buffer_descriptor_size"),
            u32("ctx_switch_prog"), u32("encoder_id"), u32("cmd_id"), u32("iogpu_unk_40"), u32("iogpu_unk_44"))),
    RESULT_INFO(RESULT_INFO_LAYOUT.LAYOUT),
    RESULT_RENDER(structLayout(RESULT_INFO_LAYOUT.LAYOUT.withName("info"), u64("flags"), u64("vertex_ts_start"),
            u64("vertex_ts_end"), u64("fragment_ts_start"), u64("fragment_ts_end"), u64("tvb_size_bytes"),
            u64("tvb_usage_bytes"), u32("num_tvb_overflows"), paddingLayout(4))),
    RESULT_COMPUTE(structLayout(RESULT_INFO_LAYOUT.LAYOUT.withName("info"), u64("flags"), u64("ts_start"), u64("ts_end"))),
    GET_TIME(structLayout(u64("extensions"), u64("flags"), u64("tv_sec"), u64("tv_nsec"), u64("gpu_timestamp")));

    private final StructLayout layout;
    /** Top-level member offsets by name, resolved once: layout paths are far too slow for ioctl paths. */
    private final Map<String, Long> offsets;

    UapiStruct(StructLayout layout) {
        this.layout = layout;
        Map<String, Long> byName = new HashMap<>();
        long at = 0;
        for (MemoryLayout member : layout.memberLayouts()) {
            long offset = at; // a StructLayout has no implicit padding
            member.name().ifPresent(name -> {
                byName.put(name, offset);
                if (member instanceof StructLayout inner) {
                    long innerAt = 0;
                    for (MemoryLayout m : inner.memberLayouts()) {
                        long innerOffset = innerAt;
                        m.name().ifPresent(n -> byName.put(name + "." + n, offset + innerOffset));
                        innerAt += m.byteSize();
                    }
                }
            });
            at += member.byteSize();
        }
        this.offsets = Map.copyOf(byName);
    }

    /** The layout (named members; natural C alignment). */
    public StructLayout layout() {
        return layout;
    }

    /** Size in bytes, as {@code sizeof}. */
    public int size() {
        return (int) layout.byteSize();
    }

    /** Byte offset of {@code field} ({@code "info"} etc. for embedded structs, then their own offsets). */
    public long offset(String field) {
        Long offset = offsets.get(field);
        if (offset == null) {
            throw new IllegalArgumentException("no field " + field + " in " + this);
        }
        return offset;
    }

    /** Byte offset of {@code inner} inside the embedded struct {@code outer}. */
    public long offset(String outer, String inner) {
        return offset(outer + "." + inner);
    }

    private static MemoryLayout u64(String name) {
        return ValueLayout.JAVA_LONG.withName(name);
    }

    private static MemoryLayout u32(String name) {
        return ValueLayout.JAVA_INT.withName(name);
    }

    private static MemoryLayout u8(String name) {
        return ValueLayout.JAVA_BYTE.withName(name);
    }

    /** Holder so the result structs can embed {@code drm_asahi_result_info} during enum initialisation. */
    private static final class RESULT_INFO_LAYOUT {
        static final StructLayout LAYOUT = structLayout(u32("status"), u32("fault_type"), u32("unit"), u32("sideband"),
                u8("level"), u8("is_read"), ValueLayout.JAVA_SHORT.withName("pad"), u32("extra"), u64("address"));
    }
}
