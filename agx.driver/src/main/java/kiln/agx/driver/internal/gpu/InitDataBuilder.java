package kiln.agx.driver.internal.gpu;

import static kiln.agx.api.firmware.AbiType.*;
import static kiln.agx.api.firmware.FirmwareProtocol.*;

import java.util.ArrayList;
import java.util.List;

import kiln.agx.api.firmware.FirmwareAbi;
import kiln.agx.api.firmware.FirmwareVersion;
import kiln.agx.api.firmware.PipeType;
import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.hw.PerformanceState;
import kiln.agx.api.hw.UatFormat;
import kiln.drm.api.DrmException;

/**
 * Builds InitData and everything it points at in the bound firmware's ABI (the real
 * {@code initdata.rs}): runtime pointers with every channel, globals, firmware status, HwDataA
 * and HwDataB from the chip's {@link HwConfig}. Values are the reference's, including the ones
 * that differ by version (written wherever the layout has the field; the ABI drops the rest).
 * Power-management values the reference does not give are left zero: Kiln's firmware does not
 * manage power.
 */
public final class InitDataBuilder {
    /**
     * What the driver keeps of InitData, and every kernel allocation behind it (freed when a
     * firmware swap replaces it, once the old firmware is stopped).
     */
    public record Built(FwObject initData, FwObject globals, FwObject fwStatus, FwRings rings,
            FwObject statsVtx, FwObject statsFrag, FwObject statsComp, List<KernelVm.Alloc> allocations) {

        /** Frees everything; only with the firmware that used it stopped. */
        public void free(KernelVm vm) {
            allocations.forEach(vm::free);
        }
    }

    private final List<KernelVm.Alloc> allocations = new ArrayList<>();

    private final KernelVm vm;
    private final FirmwareAbi abi;
    private final HwConfig hw;
    private final long ttbatBase;

    public InitDataBuilder(KernelVm vm, FirmwareAbi abi, HwConfig hw, long ttbatBase) {
        this.vm = vm;
        this.abi = abi;
        this.hw = hw;
        this.ttbatBase = ttbatBase;
    }

    private FwObject object(kiln.agx.api.firmware.AbiType type) throws DrmException {
        FwObject o = FwObject.allocate(vm, abi, type);
        allocations.add(o.alloc());
        return o;
    }

    private KernelVm.Alloc buffer(long bytes) throws DrmException {
        KernelVm.Alloc a = vm.allocate(bytes);
        allocations.add(a);
        return a;
    }

    /** @param hangTimeoutMs the firmware's watchdog per running command (Kiln's {@code Globals.hang_timeout_ms}) */
    public Built build(int hangTimeoutMs) throws DrmException {
        boolean ventura = abi.version().compareTo(new FirmwareVersion(13, 0, 0)) >= 0;
        FwObject rp = object(RUNTIME_POINTERS);
        Ring[][] pipes = FwRings.pipeArray();
        for (int p = 0; p < PRIORITIES; p++) {
            FwObject channels = rp.inner("pipes", p, PIPE_CHANNELS);
            pipes[PipeType.VERTEX.ordinal()][p] = ring(channels.inner("vtx", CHANNEL_RING), PIPE_RING_ENTRIES, RUN_WORK_QUEUE_MSG);
            pipes[PipeType.FRAGMENT.ordinal()][p] = ring(channels.inner("frag", CHANNEL_RING), PIPE_RING_ENTRIES, RUN_WORK_QUEUE_MSG);
            pipes[PipeType.COMPUTE.ordinal()][p] = ring(channels.inner("comp", CHANNEL_RING), PIPE_RING_ENTRIES, RUN_WORK_QUEUE_MSG);
        }
        Ring deviceControl = ring(rp.inner("device_control", CHANNEL_RING), DEVICE_CONTROL_RING_ENTRIES, DEVICE_CONTROL_MSG);
        Ring event = ring(rp.inner("event", CHANNEL_RING), EVENT_RING_ENTRIES, EVENT_MSG);
        Ring fwLog = ring(rp.inner("fw_log", CHANNEL_RING), FW_LOG_RING_ENTRIES, FW_LOG_MSG);
        ring(rp.inner("ktrace", CHANNEL_RING), KTRACE_RING_ENTRIES, FW_LOG_MSG);
        Ring stats = ring(rp.inner("stats", CHANNEL_RING), STATS_RING_ENTRIES, STATS_MSG);

        FwObject statsVtx = object(GPU_GLOBAL_STATS);
        FwObject statsFrag = object(GPU_GLOBAL_STATS).set("cur_stamp_id", 0xffff_ffffL);
        FwObject statsComp = object(GPU_GLOBAL_STATS);
        rp.set("stats_vtx", statsVtx.va()).set("stats_frag", statsFrag.va()).set("stats_comp", statsComp.va())
                .set("hwdata_a", hwDataA(ventura).va()).set("hwdata_b", hwDataB(ventura).va())
                .set("fwlog_buf", buffer(0x4000).va())
                .set("buffer_mgr_ctl", buffer(127 * abi.sizeOf(BUFFER_MGR_CTL)).va())
                .set("gpu_scratch", buffer(0x1000).va());

        FwObject globals = object(GLOBALS)
                .set("ktrace_enable", 0).set("idle_off_delay_ms", 2).set("fault_control", 0xb).set("do_init", 1)
                .set("unk_24_0", 3000)
                .set("unk_903c", ventura ? 1 : 0)
                .set("unk_89f4_8", 1).set("unk_9010_0", 1)
                .set("unk_1102c_0", 1).set("unk_1102c_4", 1).set("unk_1102c_8", 100).set("unk_1102c_c", 1)
                .set("unk_118e4_0", 50)
                .set("hang_timeout_ms", hangTimeoutMs);

        FwObject fwStatus = object(FW_STATUS);
        Ring fwCtl = ring(fwStatus.inner("fwctl_channel", CHANNEL_RING), FW_CTL_RING_ENTRIES, FW_CTL_MSG);

        FwObject initData = object(INIT_DATA)
                .set("ver_info", 0, 1).set("ver_info", 1, 1).set("ver_info", 2, 16).set("ver_info", 3, 1)
                .set("unk_buf", buffer(0x4000).va())
                .set("runtime_pointers", rp.va()).set("globals", globals.va()).set("fw_status", fwStatus.va())
                .set("uat_page_size", UatFormat.PAGE_BYTES).set("uat_page_bits", UatFormat.PAGE_SHIFT)
                .set("uat_num_levels", UatFormat.LEVEL_SHIFTS.length)
                .set("host_mapped_fw_allocations", 1);
        return new Built(initData, globals, fwStatus, new FwRings(pipes, deviceControl, fwCtl, event, fwLog, stats),
                statsVtx, statsFrag, statsComp, List.copyOf(allocations));
    }

    private Ring ring(FwObject descriptor, int entries, kiln.agx.api.firmware.AbiType message) throws DrmException {
        Ring ring = new Ring(vm, abi, descriptor, entries, message);
        allocations.addAll(ring.allocations());
        return ring;
    }

    private FwObject hwDataA(boolean ventura) throws DrmException {
        FwObject a = object(HW_DATA_A).set("pwr_status", 4).set("max_pstate_scaled", 100L * maxPstate())
                .set("fast_die0_sensor_present", hw.fastDie0SensorPresent());
        for (int z = 0; z < 5 && ventura; z++) {
            a.inner("power_zones", z, POWER_ZONE).set("unk_10", 1_320_000_000L);
        }
        if (ventura) {
            a.inner("unk_e10_0", HW_DATA_A_130_EXTRA)
                    .set("unk_38", 4).set("unk_3c", 8000).set("unk_40", 2500).set("unk_48", 0xffff_ffffL).set("unk_4c", 50)
                    .set("unk_54", 50).set("unk_58", 1).setFloat("unk_60", 0.8888889f).setFloat("unk_64", 0.6666667f)
                    .setFloat("unk_68", 0.11111111f).setFloat("unk_6c", 0.33333333f).setFloat("unk_70", -0.4f)
                    .setFloat("unk_74", -0.8f).setFloat("unk_7c", 65536.0f).setFloat("unk_80", -5.0f)
                    .setFloat("unk_84", -10.0f).set("unk_8c", 40).setFloat("unk_9c", 8000.0f).set("unk_a0", 1400)
                    .set("unk_a8", 72).set("unk_ac", 24).set("unk_b0", 1_728_000).set("unk_b8", 576_000)
                    .setFloat("unk_c4", 65536.0f).setFloat("unk_114", 65536.0f).set("unk_124", 40);
        }
        return a;
    }

    private int maxPstate() {
        return hw.performanceStates().size() - 1;
    }

    private FwObject hwDataB(boolean ventura) throws DrmException {
        List<PerformanceState> states = hw.performanceStates();
        FwObject b = object(HW_DATA_B)
                .set("unk_0", 0x13_0000_0000L).set("unk_10", 0x1_0000_0000L)
                .set("uat_ttb_base", ttbatBase).set("chip_id", hw.chipId()).set("base_clock_khz", hw.baseClockHz() / 1000)
                .set("gpu_core_id", hw.firmwareCore().value()).set("gpu_rev_id", hw.revision().firmwareId())
                .set("num_cores", hw.maxCores()).set("num_frags", (long) hw.maxClusters() * hw.maxFragmentUnitsPerCluster())
                .set("num_gps", (long) hw.maxClusters() * hw.maxGeometryPipesPerCluster())
                .set("max_pstate", maxPstate()).set("num_pstates", states.size())
                .set("unk_ac0", 0x1020).set("unk_524", 1)
                .set("unk_b38_0", 1).set("unk_b38_4", 1).set("unk_c3c", 0x19);
        int[] ae4 = ventura ? new int[] {0, 3, 7, 7} : new int[] {0, 0xf, 0x3f, 0x3f};
        for (int i = 0; i < 4; i++) {
            b.set("unk_ae4", i, ae4[i]);
        }
        long peakPower = states.stream().mapToLong(PerformanceState::powerMilliwatts).max().orElse(1);
        int minSram = Integer.MAX_VALUE;
        for (int p = 0; p < states.size() && p < 16; p++) {
            PerformanceState s = states.get(p);
            b.set("frequencies", p, s.frequencyHz() / 1_000_000);
            for (int c = 0; c < s.voltageMillivolts().size() && c < 8; c++) {
                b.set("voltages", p * 8 + c, s.voltageMillivolts().get(c));
                minSram = Math.min(minSram, s.voltageMillivolts().get(c));
            }
            b.set("voltages_sram", p, s.voltageMillivolts().get(0));
            b.set("rel_max_powers", p, peakPower == 0 ? 0 : s.powerMilliwatts() * 100 / peakPower);
            b.set("rel_boost_freqs", p, 0);
        }
        b.set("min_sram_volt", minSram == Integer.MAX_VALUE ? 0 : minSram);
        return b;
    }
}
