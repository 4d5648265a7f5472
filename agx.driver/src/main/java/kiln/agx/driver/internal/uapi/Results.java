package kiln.agx.driver.internal.uapi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import kiln.agx.api.hw.FaultInfo;
import kiln.agx.api.uapi.AsahiUapi;
import kiln.agx.api.uapi.UapiStruct;
import kiln.agx.driver.internal.gpu.KernelVm;
import kiln.agx.driver.internal.gpu.RenderCommands;
import kiln.agx.driver.internal.gpu.Tvb;
import kiln.agx.driver.internal.gpu.WorkError;

/**
 * Writes a command's result ({@code drm_asahi_result_compute} / {@code _render}) into the
 * submission's result buffer when it completes: status, the decoded fault, timestamps and, for
 * renders, the TVB's size, use and overflows. Nothing is written for a command that asked for no
 * result.
 */
final class Results {
    private Results() {
    }

    static void compute(SubmitJob s, SubmitJob.Command c, WorkError error, KernelVm.Alloc ts) {
        if (s.results() == null || c.resultSize() == 0) {
            return;
        }
        UapiStruct r = UapiStruct.RESULT_COMPUTE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(r.size());
            info(out, r, error);
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, r.offset("ts_start"), ts.cpu().get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, r.offset("ts_end"), ts.cpu().get(ValueLayout.JAVA_LONG_UNALIGNED, 8));
            copy(s, c, out, r);
        }
    }

    static void render(SubmitJob s, SubmitJob.Command c, WorkError error, RenderCommands.Built built, Tvb tvb, boolean grew) {
        long overflows = tvb.takeOverflows();
        if (s.results() == null || c.resultSize() == 0) {
            return;
        }
        UapiStruct r = UapiStruct.RESULT_RENDER;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(r.size());
            info(out, r, error);
            long flags = (overflows > 0 ? AsahiUapi.RESULT_RENDER_TVB_OVERFLOWED : 0)
                    | (grew ? AsahiUapi.RESULT_RENDER_TVB_GROW_OVF : 0);
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, r.offset("flags"), flags);
            MemorySegment vts = built.vertexTimestamps().cpu();
            MemorySegment fts = built.fragmentTimestamps().cpu();
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, r.offset("vertex_ts_start"), vts.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, r.offset("vertex_ts_end"), vts.get(ValueLayout.JAVA_LONG_UNALIGNED, 8));
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, r.offset("fragment_ts_start"), fts.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, r.offset("fragment_ts_end"), fts.get(ValueLayout.JAVA_LONG_UNALIGNED, 8));
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, r.offset("tvb_size_bytes"), tvb.sizeBytes());
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, r.offset("tvb_usage_bytes"), tvb.usedBytes());
            out.set(ValueLayout.JAVA_INT_UNALIGNED, r.offset("num_tvb_overflows"), (int) overflows);
            copy(s, c, out, r);
        }
    }

    private static void copy(SubmitJob s, SubmitJob.Command c, MemorySegment out, UapiStruct r) {
        MemorySegment.copy(out, 0, s.results().memory(), c.resultOffset(), Math.min(c.resultSize(), r.size()));
    }

    private static void info(MemorySegment out, UapiStruct r, WorkError error) {
        int status = error == null ? AsahiUapi.STATUS_COMPLETE : switch (error.kind()) {
            case TIMEOUT -> AsahiUapi.STATUS_TIMEOUT;
            case FAULT -> AsahiUapi.STATUS_FAULT;
            case KILLED -> AsahiUapi.STATUS_KILLED;
            case NO_DEVICE -> AsahiUapi.STATUS_NO_DEVICE;
            case UNKNOWN -> AsahiUapi.STATUS_UNKNOWN_ERROR;
        };
        out.set(ValueLayout.JAVA_INT_UNALIGNED, r.offset("info", "status"), status);
        FaultInfo f = error == null ? null : error.fault();
        if (f != null) {
            out.set(ValueLayout.JAVA_INT_UNALIGNED, r.offset("info", "fault_type"), AsahiUapi.FAULT_UNMAPPED + f.reason().ordinal());
            out.set(ValueLayout.JAVA_INT_UNALIGNED, r.offset("info", "unit"), f.unit());
            out.set(ValueLayout.JAVA_INT_UNALIGNED, r.offset("info", "sideband"), f.sideband());
            out.set(ValueLayout.JAVA_BYTE, r.offset("info", "level"), (byte) f.level());
            out.set(ValueLayout.JAVA_BYTE, r.offset("info", "is_read"), (byte) (f.read() ? 1 : 0));
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, r.offset("info", "address"), f.address());
        } else if (error != null && error.kind() == WorkError.Kind.FAULT) {
            out.set(ValueLayout.JAVA_INT_UNALIGNED, r.offset("info", "fault_type"), AsahiUapi.FAULT_UNKNOWN);
        }
    }
}
