package kiln.agx.driver.internal.uapi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.hw.IncompatibleFeature;
import kiln.agx.api.hw.PerformanceState;
import kiln.agx.api.uapi.AsahiUapi;
import kiln.agx.api.uapi.UapiStruct;
import kiln.agx.driver.internal.gpu.AgxGpu;
import kiln.agx.driver.internal.gpu.IdRegisters;
import kiln.drm.api.DrmException;
import kiln.drm.api.file.DrmFile;

/**
 * {@code DRM_IOCTL_ASAHI_GET_PARAMS}: {@code param_group} and {@code pad} must be 0 (EINVAL);
 * the first {@code min(size, sizeof(params))} bytes of {@code drm_asahi_params_global} are
 * copied to {@code pointer} (EFAULT if that is not the client's memory) and {@code size} is set
 * to the full size, the size negotiation of the real driver. The parameters are computed once
 * per device from the chip, the ID registers and the driver's limits.
 */
final class GetParams {
    private static final UapiStruct ARGS = UapiStruct.GET_PARAMS;
    private final byte[] params;

    GetParams(AgxGpu gpu) {
        this.params = encode(gpu.hwConfig(), gpu.ids());
    }

    int handle(DrmFile file, MemorySegment arg) throws DrmException {
        Args.mbz(arg, ARGS.offset("param_group"), "param_group");
        Args.mbz(arg, ARGS.offset("pad"), "pad");
        long pointer = Args.u64(arg, ARGS.offset("pointer"));
        long size = Args.u64(arg, ARGS.offset("size"));
        long n = Math.min(Long.compareUnsigned(size, params.length) < 0 ? size : params.length, params.length);
        file.caller().memory().copyOut(MemorySegment.ofArray(params), 0, pointer, n);
        arg.set(ValueLayout.JAVA_LONG_UNALIGNED, ARGS.offset("size"), params.length);
        return 0;
    }

    static byte[] encode(HwConfig hw, IdRegisters ids) {
        UapiStruct p = UapiStruct.PARAMS_GLOBAL;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(p.size());
            put32(s, p, "unstable_uabi_version", AsahiUapi.UNSTABLE_UABI_VERSION);
            long incompat = 0;
            for (IncompatibleFeature f : hw.incompatibleFeatures()) {
                incompat |= f.bit();
            }
            put64(s, p, "feat_incompat", incompat);
            put32(s, p, "gpu_generation", hw.generation().uabi());
            put32(s, p, "gpu_variant", hw.variant().uabi());
            put32(s, p, "gpu_revision", ids.revision().uabi());
            put32(s, p, "chip_id", hw.chipId());
            put32(s, p, "num_dies", ids.dies());
            put32(s, p, "num_clusters_total", ids.clusters());
            put32(s, p, "num_cores_per_cluster", ids.coresPerCluster());
            put32(s, p, "num_frags_per_cluster", ids.fragsPerCluster());
            put32(s, p, "num_gps_per_cluster", ids.gpsPerCluster());
            put32(s, p, "num_cores_total_active", ids.activeCores());
            long masks = p.offset("core_masks");
            for (int c = 0; c < ids.coreMasks().length && c < AsahiUapi.MAX_CLUSTERS; c++) {
                s.set(ValueLayout.JAVA_LONG_UNALIGNED, masks + 8L * c, ids.coreMasks()[c]);
            }
            put32(s, p, "vm_page_size", AsahiUapi.VM_PAGE_SIZE);
            put64(s, p, "vm_user_start", AsahiUapi.VM_USER_START);
            put64(s, p, "vm_user_end", AsahiUapi.VM_USER_END);
            put64(s, p, "vm_shader_start", AsahiUapi.VM_SHADER_START);
            put64(s, p, "vm_shader_end", AsahiUapi.VM_SHADER_END);
            put32(s, p, "max_syncs_per_submission", AsahiUapi.MAX_SYNCS_PER_SUBMISSION);
            put32(s, p, "max_commands_per_submission", AsahiUapi.MAX_COMMANDS_PER_SUBMISSION);
            put32(s, p, "max_commands_in_flight", AsahiUapi.MAX_COMMANDS_IN_FLIGHT);
            put32(s, p, "max_attachments", AsahiUapi.MAX_ATTACHMENTS);
            put32(s, p, "timer_frequency_hz", (int) hw.baseClockHz());
            List<PerformanceState> states = hw.performanceStates();
            // state 0 is "off"; the base (lowest running) state is 1
            put32(s, p, "min_frequency_khz", (int) (states.get(Math.min(1, states.size() - 1)).frequencyHz() / 1000));
            put32(s, p, "max_frequency_khz", (int) (hw.maxFrequencyHz() / 1000));
            put32(s, p, "max_power_mw", states.stream().mapToInt(PerformanceState::powerMilliwatts).max().orElse(0));
            put32(s, p, "result_render_size", UapiStruct.RESULT_RENDER.size());
            put32(s, p, "result_compute_size", UapiStruct.RESULT_COMPUTE.size());
            return s.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private static void put32(MemorySegment s, UapiStruct p, String field, int value) {
        s.set(ValueLayout.JAVA_INT_UNALIGNED, p.offset(field), value);
    }

    private static void put64(MemorySegment s, UapiStruct p, String field, long value) {
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, p.offset(field), value);
    }
}
