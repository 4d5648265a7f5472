package kiln.agx.firmware;

import static kiln.agx.api.firmware.AbiType.*;

import java.lang.foreign.StructLayout;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Predicate;

import kiln.agx.api.firmware.AbiStruct;
import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.FirmwareAbi;
import kiln.agx.api.firmware.FirmwareVersion;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.firmware.internal.LayoutDef;
import kiln.agx.firmware.internal.Target;

/**
 * Every firmware structure, defined once with the real driver's {@code #[ver(...)]}
 * conditions, and laid out per (generation, firmware) by {@link #abi}. A firmware bundle builds
 * its own {@link FirmwareAbi}s from here for its version.
 *
 * <h2>What is real and what is Kiln's</h2>
 * Names, and which fields exist in which (generation, firmware), follow
 * {@code reference/asahi-driver.md} §3.3, §5: the {@code counter}/{@code unk_ts}/{@code unk_flag}
 * command fields and Ventura-style microsequence fields from 13.0b4, {@code Globals.unk_24_0}
 * from 13.2, {@code DeviceControlMsg} and {@code RunWorkQueueMsg} 16 bytes longer on G14 with
 * 13.2, {@code STATS} payload 0x2c vs 0x3c, the G13-only tiling fields of the vertex job
 * parameters (G14 has padding instead), the G14-only fragment fields, the 12.x-only
 * {@code HwDataB} fields, {@code GpuContextData} 0x40 bytes, the 65 handoff flush slots, 0x110
 * pending stamps. Offsets and sizes the reference does not give are Kiln's: structures are
 * packed in the order listed here. Fields marked "Kiln" do not exist in the real ABI; they carry
 * what the simulated hardware needs and the real one keeps in opaque register state (ring entry
 * counts, attachment descriptions, control-stream pointers, the heap's contiguous VA window, the
 * firmware's hang watchdog, the DestroyContext completion token).
 */
public final class AbiCatalog {
    private static final Predicate<Target> VENTURA = Target::ventura;
    private static final Predicate<Target> PRE_VENTURA = VENTURA.negate();
    private static final Predicate<Target> V13_2 = Target::atLeast13_2;
    private static final Predicate<Target> G13 = Target::g13;
    private static final Predicate<Target> G14 = Target::g14;
    private static final Predicate<Target> G14_PRE_VENTURA = G14.and(PRE_VENTURA);
    /** Bytes of the G13-only vertex tiling fields, padding on G14. */
    private static final long G13_TILING_BYTES = 0x40;

    private static final Map<AbiType, LayoutDef> DEFS = new EnumMap<>(AbiType.class);

    static {
        boot();
        channels();
        workQueues();
        commands();
        microsequence();
        for (AbiType t : AbiType.values()) {
            if (!DEFS.containsKey(t)) {
                throw new ExceptionInInitializerError("no definition of " + t);
            }
        }
    }

    private AbiCatalog() {
    }

    private static LayoutDef def(AbiType type) {
        LayoutDef d = new LayoutDef(type);
        DEFS.put(type, d);
        return d;
    }

    private static void boot() {
        def(FLUSH_INFO).u64("state", "addr", "size");
        def(HANDOFF).u64("magic_ap", "magic_fw").u8("lock_ap").u8("lock_fw").pad(2).u32("turn", "cur_slot").pad(4)
                .struct("flush", FLUSH_INFO, 65).u8("unk2").pad(7).u64("unk3");
        def(INIT_DATA)
                .when(VENTURA, d -> d.u32s("ver_info", 4))
                .ptr("unk_buf").u32("unk_8", "unk_c").ptr("runtime_pointers", "globals", "fw_status")
                .u16("uat_page_size").u8("uat_page_bits").u8("uat_num_levels").u32("uat_level_info_index_shift")
                .u64("uat_phys_mask").u32("host_mapped_fw_allocations").u32("unk_ac").u32("unk_b0").pad(0xc);
        def(CHANNEL_STATE).u32("read_ptr").pad(0x1c).u32("write_ptr").pad(0x1c);
        def(CHANNEL_RING).ptr("state", "ring").u32("entries").pad(4);
        def(PIPE_CHANNELS).struct("vtx", CHANNEL_RING).struct("frag", CHANNEL_RING).struct("comp", CHANNEL_RING);
        def(RUNTIME_POINTERS).struct("pipes", PIPE_CHANNELS, 4)
                .struct("device_control", CHANNEL_RING).struct("event", CHANNEL_RING).struct("fw_log", CHANNEL_RING)
                .struct("ktrace", CHANNEL_RING).struct("stats", CHANNEL_RING)
                .ptr("stats_vtx", "stats_frag", "stats_comp", "hwdata_a", "unk_190", "unk_198", "hwdata_b", "fwlog_buf",
                        "buffer_mgr_ctl", "buffer_mgr_ctl_gpu_addr", "gpu_scratch")
                .u32("unk_1f8").pad(4);
        def(PENDING_STAMP).u32("info", "wait_value");
        def(GLOBALS).u32("ktrace_enable").u8s("unk_4", 0x20)
                .when(V13_2, d -> d.u32("unk_24_0"))
                .u32("unk_24")
                .when(VENTURA, d -> d.u32("unk_28_0"))
                .u32("unk_28")
                .when(VENTURA, d -> d.u32("unk_2c_0"))
                .u32("unk_2c", "unk_30", "unk_34", "pending_submissions", "idle_off_delay_ms", "fault_control", "do_init")
                .struct("pending_stamps", PENDING_STAMP, 0x110)
                .when(VENTURA, d -> d.u32("unk_89f4_8", "unk_9010_0"))
                .u32("unk_903c")
                .when(VENTURA, d -> d.u32("unk_1102c_0", "unk_1102c_4", "unk_1102c_8", "unk_1102c_c", "unk_118e4_0",
                        "unk_11edc", "unk_11efc"))
                .u32("hang_timeout_ms") // Kiln: the firmware's watchdog per running command
                .pad(8);
        def(POWER_ZONE).u32("target", "target_off", "filter_tc").when(VENTURA, d -> d.u32("unk_10"));
        def(HW_DATA_A_130_EXTRA).u32("unk_38", "unk_3c", "unk_40", "unk_48", "unk_4c", "unk_54", "unk_58")
                .f32("unk_60", "unk_64", "unk_68", "unk_6c", "unk_70", "unk_74", "unk_7c", "unk_80", "unk_84")
                .u32("unk_8c").f32("unk_9c").u32("unk_a0", "unk_a8", "unk_ac", "unk_b0", "unk_b8").f32("unk_c4", "unk_114")
                .u32("unk_124", "max_pstate_scaled_1", "max_pstate_scaled_2");
        def(HW_DATA_A).u32("unk_0", "clocks_per_period")
                .when(VENTURA, d -> d.u32("clocks_per_period_2"))
                .u32("unk_8", "pwr_status").f32("unk_10")
                .when(VENTURA, d -> d.u32("ppm_filter_tc_clks", "avg_power_target_filter_tc_clks", "avg_power_filter_tc_clks"))
                .when(PRE_VENTURA, d -> d.u32("fast_die0_sensor_present"))
                .struct("power_zones", POWER_ZONE, 5).u32("max_pstate_scaled")
                .when(VENTURA, d -> d.struct("unk_e10_0", HW_DATA_A_130_EXTRA))
                .pad(4);
        def(HW_DATA_B)
                .when(PRE_VENTURA, d -> d.u64("unk_0"))
                .u64("unk_8")
                .when(PRE_VENTURA, d -> d.u64("unk_10"))
                .u64("unk_18", "uat_ttb_base")
                .u32("chip_id", "base_clock_khz", "gpu_core_id", "gpu_rev_id", "num_cores", "num_frags", "num_gps", "max_pstate")
                .when(PRE_VENTURA, d -> d.u32("num_pstates"))
                .u32s("frequencies", 16).u32s("voltages", 16 * 8).u32s("voltages_sram", 16).u32s("rel_max_powers", 16)
                .u32s("rel_boost_freqs", 16)
                .when(PRE_VENTURA, d -> d.u32("min_sram_volt", "unk_ab8", "unk_abc", "unk_ac0"))
                .u32s("unk_ae4", 4)
                .when(VENTURA, d -> d.u32("unk_b38_0", "unk_b38_4", "unk_c3c"))
                .u32("unk_524").pad(4);
        def(FW_STATUS).struct("fwctl_channel", CHANNEL_RING)
                .u32("halt_count").pad(0xc).u32("halted").pad(0xc).u32("resume").pad(0xc)
                .u32("unk_40").pad(0xc).u32("unk_ctr").pad(0xc);
        def(GPU_GLOBAL_STATS).u32("total_cmds", "stats_cmds").u32("cur_stamp_id").u32("unk_c")
                .u64("busy_ticks") // Kiln: GPU ticks this pipe ran work
                .u32("faults").pad(4);
    }

    private static void channels() {
        def(RUN_WORK_QUEUE_MSG).u32("pipe_type").ptr("work_queue").u32("wptr", "event_slot").u8("is_new")
                .pad(t -> t.atLeast13_2() && t.g14() ? 0x2bL : 0x1bL);
        long devctrlPayload13_2G14 = 0x3c;
        def(DEVICE_CONTROL_MSG).u32("msg_type").pad(t -> t.atLeast13_2() && t.g14() ? devctrlPayload13_2G14 : 0x2cL);
        def(DEVICE_CONTROL_DESTROY_CONTEXT).u32("msg_type", "unk_4").u8("ctx_23").u8("ctx_0").u8("ctx_1").u8("ctx_4")
                .ptr("gpu_context")
                .ptr("token") // Kiln: the firmware writes 1 here when done, what the driver's wait waits on
                .pad(t -> (t.atLeast13_2() && t.g14() ? devctrlPayload13_2G14 : 0x2cL) - 0x18);
        def(EVENT_MSG).u32("msg_type").u32s("firing", 4).pad(0x24);
        def(EVENT_MSG_TIMEOUT).u32("msg_type", "counter", "unk_8", "event_slot").pad(0x28);
        def(FW_CTL_MSG).u64("addr").u32("unk_8", "slot").u16("page_count").u32("unk_12");
        def(FW_LOG_MSG).u32("msg_type", "seq_no").u64("timestamp").u8s("msg", 0xc8);
        def(STATS_MSG).u32("msg_type")
                .u32("busy_permille").u32("completed") // Kiln: what the simulated sample reports
                .pad(t -> t.ventura() ? 0x34L : 0x24L);
    }

    private static void workQueues() {
        def(RING_STATE).u32("gpu_doneptr").pad(0xc).u32("unk_10").pad(0xc).u32("unk_20").pad(0xc)
                .u32("gpu_rptr").pad(0xc).u32("cpu_wptr").pad(0xc).u32("rb_size").pad(0xc).u32("cpu_freeptr").pad(0xc);
        def(QUEUE_INFO).ptr("state", "ring", "notifier_list", "gpu_buf").u32("gpu_rptr1", "gpu_rptr2", "gpu_rptr3", "event_id")
                .u32s("priority", 6).u32("unk_4c", "uuid", "unk_54").u64("unk_58").u32("busy", "unk_64", "pending", "unk_6c")
                .ptr("gpu_context").u64("unk_78")
                .when(V13_2, d -> d.u32("unk_a0_0"))
                .when(V13_2, d -> d.u64("unk_b0"))
                .pad(8);
        def(GPU_CONTEXT_DATA).u8("unk_0").u8("unk_1").u8s("unk_2", 3).u8("unk_5").u8s("unk_6", 0x18).u8("unk_1e")
                .u8s("unk_1f", 4).u8("unk_23").u8s("unk_24", 0x1c);
        def(NOTIFIER_LIST).ptr("list_head").u64("unk_8");
        def(NOTIFIER).ptr("threshold").u32("generation", "cur_count", "unk_10", "state").pad(8);
        def(STAMP).u32("value");
        def(FW_STAMP).u32("value", "unk_4");
        def(BARRIER).u32("tag").ptr("wait_stamp").u32("wait_value", "wait_slot", "stamp_self", "uuid", "unk_20").pad(4);
    }

    private static void commands() {
        def(JOB_META).u16("unk_0").u8("unk_2").u8("no_preemption").ptr("stamp", "fw_stamp")
                .u32("stamp_value", "stamp_slot", "evctl_index", "flush_stamps", "uuid", "cmd_seq");
        def(TIMESTAMPS).u64("start", "end");
        def(JOB_PARAMETERS_1_COMPUTE).ptr("preempt_buf1", "encoder", "preempt_buf2", "preempt_buf3", "preempt_buf4")
                .u64("pipeline_base").u32("unk_38").u64("ctx_switch_prog", "compute_layout_addr")
                .u32("buffer_descriptor_size", "iogpu_unk_40").pad(8);
        def(JOB_PARAMETERS_2).when(VENTURA, d -> d.u32("unk_0_0")).u8s("unk_0", 0x10).ptr("encoder_end")
                .when(PRE_VENTURA, d -> d.u32("unk_5c")).pad(4);
        def(RUN_COMPUTE).u32("tag", "vm_slot").ptr("notifier", "stats", "work_queue", "gpu_context")
                .struct("job_params1", JOB_PARAMETERS_1_COMPUTE).struct("job_params2", JOB_PARAMETERS_2)
                .ptr("microsequence").u32("microsequence_size").pad(4).struct("job_meta", JOB_META).ptr("timestamps")
                .when(VENTURA, d -> d.u64("counter", "unk_ts").u32("unk_flag").pad(4))
                .pad(8);
        def(JOB_PARAMETERS_1_VERTEX).u64("unk_0").u32("unk_8", "unk_c").ptr("tvb_tilemap", "tpc", "tvb_heapmeta")
                .u32("iogpu_unk_54", "iogpu_unk_55", "iogpu_unk_56")
                .when(G13, d -> d.ptr("tvb_cluster_tilemaps", "tvb_cluster_meta1", "tvb_cluster_meta2", "tvb_cluster_meta3",
                        "tvb_cluster_meta4").u32s("core_mask", 2).u32("unk_60", "tiling_control", "unk_ac", "unk_f0"))
                .when(G14, d -> d.pad(G13_TILING_BYTES))
                .ptr("preempt_buf1", "preempt_buf2", "preempt_buf3")
                .ptr("encoder") // Kiln: the vertex control stream (draw records)
                .u32("fb_width", "fb_height") // Kiln: the render target size the tiler bins for
                .ptr("fragment_job_params") // Kiln: the paired fragment job's parameters, for partial renders
                .u64("tvb_tilemap_size").pad(8);
        def(RUN_VERTEX).u32("tag", "vm_slot").ptr("notifier").u32("buffer_slot", "unk_14").ptr("buffer", "scene", "stats",
                        "work_queue", "gpu_context")
                .struct("job_params1", JOB_PARAMETERS_1_VERTEX).struct("job_params2", JOB_PARAMETERS_2)
                .ptr("microsequence").u32("microsequence_size").u32("fragment_stamp_slot", "fragment_stamp_value").pad(4)
                .struct("job_meta", JOB_META).ptr("timestamps")
                .when(VENTURA, d -> d.u64("counter", "unk_ts").u32("unk_flag").pad(4))
                .pad(8);
        def(JOB_PARAMETERS_1_FRAGMENT)
                .when(PRE_VENTURA, d -> d.u32("__pad0"))
                .u32("utile_config", "tile_config", "isp_bgobjvals", "fb_width", "fb_height").u64("pipeline_base")
                .ptr("tvb_tilemap", "tvb_heapmeta")
                .u64("zls_ctrl").ptr("depth_buffer_ptr1").u32("depth_stride", "depth_clear_value")
                .ptr("color_buffer").u32("color_stride", "color_ctrl", "color_clear") // Kiln: the colour attachment
                .ptr("fragment_program", "fragment_uniforms").u32("fragment_uniform_count") // Kiln: the pixel program
                .when(G14, d -> d.u32("unk_58_g14_0").u64("unk_58_g14_8").u32("unk_68_g14_0"))
                .pad(8);
        def(RUN_FRAGMENT).u32("tag", "vm_slot").ptr("notifier", "scene", "buffer", "stats", "work_queue", "gpu_context")
                .struct("job_params1", JOB_PARAMETERS_1_FRAGMENT).struct("job_params2", JOB_PARAMETERS_2)
                .ptr("microsequence").u32("microsequence_size").pad(4).struct("job_meta", JOB_META).ptr("timestamps")
                .when(VENTURA, d -> d.u64("counter", "unk_ts").u32("unk_flag").pad(4))
                .pad(8);
        def(BUFFER_MGR_INFO).u32("gpu_counter", "unk_4", "last_id", "cur_id", "unk_10", "gpu_counter2", "unk_18", "unk_1c")
                .ptr("page_list").u32("page_list_size", "page_count", "unk_30", "block_count", "unk_38").pad(4)
                .ptr("block_list", "block_ctl").u32("last_page", "gpu_page_ptr1", "gpu_page_ptr2", "unk_58", "block_size")
                .pad(4).u64("unk_60").ptr("counter")
                .ptr("heap_base") // Kiln: the VA window the blocks are mapped into, back to back
                .u64("used_bytes") // Kiln: the heap's high-water mark, for growth
                .u32("overflows", "partial_renders").pad(8); // Kiln: TVB statistics
        def(BUFFER_MGR_CTL).u32("gpu", "unk_4");
        def(INIT_BUFFER).u32("tag", "vm_slot", "buffer_slot", "unk_c", "block_count").pad(4).ptr("buffer")
                .u32("stamp_value").pad(4);
    }

    private static void microsequence() {
        def(ATTACHMENT).u64("address").u32("size").u16("unk_c").u16("unk_e");
        def(MS_WAIT_FOR_IDLE).u32("op", "arg", "unk_8");
        def(MS_RETIRE_STAMP).u32("op", "arg");
        def(MS_TIMESTAMP).u32("op", "arg").ptr("cur_ts", "start_ts", "update_ts", "work_queue")
                .when(VENTURA, d -> d.ptr("unk_ts"))
                .u32("uuid").pad(4);
        def(MS_START_COMPUTE).u32("op").ptr("unk_pointer", "job_params1", "stats", "work_queue")
                .u32("vm_slot", "unk_28", "event_generation", "evctl_slot", "unk_38").ptr("job_params2").u32("unk_44", "uuid")
                .struct("attachments", ATTACHMENT, 16).u32("attachment_count")
                .when(VENTURA, d -> d.u64("counter").ptr("notifier_buf").u32("unk_flag"))
                .pad(4);
        def(MS_FINALIZE_COMPUTE).u32("op").ptr("stats", "work_queue").u32("vm_slot")
                .when(PRE_VENTURA, d -> d.u32("unk_18"))
                .ptr("job_params2").u32("unk_24", "uuid").ptr("fw_stamp").u32("stamp_value", "unk_38", "unk_3c", "unk_40",
                        "unk_44", "unk_48", "unk_4c")
                .ptr("unk_50").u32("unk_58")
                .when(G14_PRE_VENTURA, d -> d.u64("unk_5c_g14"))
                .u32("restart_branch_offset", "has_attachments")
                .when(VENTURA, d -> d.u8s("unk_64", 0xd).u8("unk_flag").u8s("unk_79", 7));
        def(MS_START_VERTEX).u32("op").ptr("tiling_params", "job_params1", "buffer", "scene", "stats", "work_queue")
                .u32("vm_slot", "unk_38", "event_generation", "buffer_slot", "unk_44", "evctl_slot").ptr("unk_50")
                .ptr("job_params2") // Kiln: where encoder_end is
                .u32("unk_58", "uuid").struct("attachments", ATTACHMENT, 16).u32("attachment_count")
                .when(VENTURA, d -> d.u64("counter").ptr("notifier_buf"))
                .pad(4);
        def(MS_FINALIZE_VERTEX).u32("op").ptr("scene", "buffer", "stats", "work_queue").u32("vm_slot", "unk_28")
                .ptr("tiling_params").u32("unk_34", "uuid").ptr("fw_stamp").u32("stamp_value", "unk_4c")
                .when(G14_PRE_VENTURA, d -> d.u64("unk_68_g14"))
                .u32("restart_branch_offset", "has_attachments")
                .when(VENTURA, d -> d.u8s("unk_74", 0x10));
        def(MS_START_FRAGMENT).u32("op").ptr("job_params2", "job_params1", "scene", "stats", "busy_flag", "tvb_overflow_count")
                .ptr("buffer") // Kiln: the heap's buffer-manager info (the real one reaches it through the scene)
                .u32("unk_38").ptr("work_queue").u32("vm_slot", "unk_50", "event_generation", "buffer_slot", "sync_grow",
                        "event_seq", "uuid")
                .struct("attachments", ATTACHMENT, 16).u32("attachment_count")
                .when(VENTURA, d -> d.u64("counter").ptr("notifier_buf"))
                .pad(4);
        def(MS_FINALIZE_FRAGMENT).u32("op", "uuid", "unk_8").ptr("fw_stamp").u32("stamp_value", "unk_18")
                .ptr("scene", "buffer").u32("unk_2c").ptr("stats", "unk_pointer", "busy_flag", "work_queue", "work_item")
                .u32("vm_slot", "unk_60", "unk_64", "unk_68")
                .when(G14_PRE_VENTURA, d -> d.u64("unk_8c_g14"))
                .u32("restart_branch_offset", "has_attachments")
                .when(VENTURA, d -> d.u8s("unk_9c", 0x10));
    }

    /** Every field name {@code type} has in any (generation, firmware). */
    public static java.util.Set<String> fieldNames(AbiType type) {
        return DEFS.get(type).names();
    }

    /**
     * Lays out every structure for {@code generation} on {@code version}. Pure: the same
     * arguments give equal layouts. Whether the pair is supported is the firmware's business.
     */
    public static FirmwareAbi abi(GpuGen generation, FirmwareVersion version) {
        Target target = new Target(generation, version);
        Map<AbiType, StructLayout> layouts = new EnumMap<>(AbiType.class);
        Map<AbiType, AbiStruct> structs = new EnumMap<>(AbiType.class);
        for (AbiType t : AbiType.values()) {
            structs.put(t, new AbiStruct(t, layout(t, target, layouts), DEFS.get(t).nestedTypes(), DEFS.get(t).names()));
        }
        return new FirmwareAbi(generation, version, structs);
    }

    private static StructLayout layout(AbiType t, Target target, Map<AbiType, StructLayout> done) {
        StructLayout l = done.get(t);
        if (l == null) {
            l = DEFS.get(t).build(target, nested -> layout(nested, target, done));
            done.put(t, l);
        }
        return l;
    }
}
