package kiln.agx.driver.internal.gpu;

import static kiln.agx.api.firmware.AbiType.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.FirmwareAbi;
import kiln.agx.api.firmware.MicroOp;
import kiln.drm.api.DrmException;

/**
 * Builds the firmware objects of one render ({@code queue/render.rs}): a {@code RunVertex} for
 * the vertex queue and a {@code RunFragment} for the fragment queue sharing the queue's TVB, each
 * with the standard microsequence and job meta. How a render's targets reach the job parameters
 * is Kiln's (see {@link Target}); the real ones are register-level.
 */
public final class RenderCommands {
    private static final long PIPELINE_BASE = 0x11_0000_0000L;
    /** {@code color_ctrl} and {@code zls_ctrl} bits the firmware reads (Kiln's). */
    public static final int COLOR_LOAD = 2, COLOR_STORE = 4, ZLS_ENABLE = 1, ZLS_LOAD = 4, ZLS_STORE = 8;
    private final AgxGpu gpu;
    private final FirmwareAbi abi;

    /** The ABI these commands are built in. */
    public FirmwareAbi abi() {
        return abi;
    }

    public RenderCommands(AgxGpu gpu) {
        this.gpu = gpu;
        this.abi = gpu.abi();
    }

    /**
     * What one render draws into.
     *
     * @param encoder    the vertex control stream (draw records, ending with an all-zero record)
     * @param width      target width
     * @param height     target height
     * @param color      colour attachment VA (linear RGBA8, stride {@code 4 * width})
     * @param loadColor  load the colour instead of clearing it to {@code clearColor}
     * @param clearColor RGBA8 clear colour
     * @param depth      depth attachment VA (linear float, stride {@code 4 * width}), or 0 for none
     * @param loadDepth  load the depth instead of clearing it to {@code clearDepth}
     * @param storeDepth store the depth
     * @param clearDepth float bits of the depth clear value
     * @param cmdId      the client's command id (uuid)
     */
    public record Target(long encoder, int width, int height, long color, boolean loadColor, int clearColor, long depth,
            boolean loadDepth, boolean storeDepth, int clearDepth, int cmdId) {
    }

    /** The two halves and their timestamp buffers. */
    public record Built(WorkQueue.Command vertex, WorkQueue.Command barrier, WorkQueue.Command fragment,
            KernelVm.Alloc vertexTimestamps, KernelVm.Alloc fragmentTimestamps) {
    }

    private FwObject[] microsequence(List<KernelVm.Alloc> objects, MicroOp start, MicroOp finalize, int pipeBit,
            KernelVm.Alloc ts, int cmdId) throws DrmException {
        MicroOp[] ops = {start, MicroOp.TIMESTAMP, MicroOp.WAIT_FOR_IDLE, MicroOp.TIMESTAMP, finalize, MicroOp.RETIRE_STAMP};
        long total = 0;
        for (MicroOp op : ops) {
            total += abi.sizeOf(op.layout());
        }
        KernelVm.Alloc ms = gpu.kernel().allocate(total);
        objects.add(ms);
        FwObject[] o = new FwObject[ops.length];
        long at = 0;
        for (int i = 0; i < ops.length; i++) {
            long size = abi.sizeOf(ops[i].layout());
            o[i] = FwObject.at(abi, ops[i].layout(), new KernelVm.Alloc(ms.va() + at, ms.cpu().asSlice(at, size)))
                    .set("op", ops[i].opcode());
            at += size;
        }
        o[1].set("arg", MicroOp.TIMESTAMP_START & 0xffff_ffffL).set("update_ts", ts.va()).set("uuid", cmdId);
        o[2].set("arg", pipeBit);
        o[3].set("update_ts", ts.va() + 8).set("uuid", cmdId);
        o[5].set("arg", MicroOp.RETIRE_STAMP_ARG);
        return o;
    }

    private static long size(FwObject[] ms, FirmwareAbi abi) {
        long total = 0;
        for (FwObject o : ms) {
            total += abi.sizeOf(o.type());
        }
        return total;
    }

    public Built render(WorkQueue vq, WorkQueue fq, Tvb tvb, int vmSlot, Target t, int vertexValue, int fragmentValue,
            long counter, Consumer<WorkError> vertexDone, Consumer<WorkError> fragmentDone, Replay replay) throws DrmException {
        KernelVm vm = gpu.kernel();
        List<KernelVm.Alloc> fragObjects = new ArrayList<>();
        List<KernelVm.Alloc> vtxObjects = new ArrayList<>();
        KernelVm.Alloc fts = vm.allocate(abi.sizeOf(TIMESTAMPS));
        KernelVm.Alloc vts = vm.allocate(abi.sizeOf(TIMESTAMPS));
        fragObjects.add(fts);
        vtxObjects.add(vts);

        FwObject frag = FwObject.allocate(vm, abi, RUN_FRAGMENT);
        fragObjects.add(frag.alloc());
        frag.set("tag", 1).set("vm_slot", vmSlot).set("buffer", tvb.infoVa()).set("work_queue", fq.queueInfoVa())
                .set("stats", gpu.initData().statsFrag().va()).set("timestamps", fts.va()).set("counter", counter + 1);
        FwObject fjp = frag.inner("job_params1", JOB_PARAMETERS_1_FRAGMENT).set("fb_width", t.width())
                .set("fb_height", t.height()).set("tvb_tilemap", tvb.tileMapVa()).set("pipeline_base", PIPELINE_BASE)
                .set("tile_config", 0x280).set("isp_bgobjvals", 0x400)
                .set("color_buffer", t.color()).set("color_stride", 4L * t.width())
                .set("color_ctrl", COLOR_STORE | (t.loadColor() ? COLOR_LOAD : 0)).set("color_clear", t.clearColor() & 0xffff_ffffL)
                .set("unk_58_g14_0", 0x4040404);
        if (t.depth() != 0) {
            fjp.set("zls_ctrl", ZLS_ENABLE | (t.loadDepth() ? ZLS_LOAD : 0) | (t.storeDepth() ? ZLS_STORE : 0))
                    .set("depth_buffer_ptr1", t.depth()).set("depth_stride", 4L * t.width())
                    .set("depth_clear_value", t.clearDepth() & 0xffff_ffffL);
        }
        FwObject fjp2 = frag.inner("job_params2", JOB_PARAMETERS_2);
        frag.inner("job_meta", JOB_META).set("stamp", fq.stampVa()).set("fw_stamp", fq.fwStampVa())
                .set("stamp_value", fragmentValue).set("stamp_slot", fq.slot()).set("uuid", t.cmdId());
        FwObject[] fms = microsequence(fragObjects, MicroOp.START_FRAGMENT, MicroOp.FINALIZE_FRAGMENT,
                MicroOp.PIPE_FRAGMENT, fts, t.cmdId());
        fms[0].set("job_params1", fjp.va()).set("job_params2", fjp2.va()).set("buffer", tvb.infoVa())
                .set("work_queue", fq.queueInfoVa()).set("vm_slot", vmSlot).set("uuid", t.cmdId()).set("counter", counter + 1);
        fms[4].set("fw_stamp", fq.fwStampVa()).set("stamp_value", fragmentValue).set("buffer", tvb.infoVa())
                .set("work_queue", fq.queueInfoVa()).set("vm_slot", vmSlot).set("uuid", t.cmdId());
        frag.set("microsequence", fms[0].va()).set("microsequence_size", size(fms, abi));

        FwObject vtx = FwObject.allocate(vm, abi, RUN_VERTEX);
        vtxObjects.add(vtx.alloc());
        vtx.set("tag", 0).set("vm_slot", vmSlot).set("buffer", tvb.infoVa()).set("work_queue", vq.queueInfoVa())
                .set("stats", gpu.initData().statsVtx().va()).set("timestamps", vts.va()).set("counter", counter)
                .set("fragment_stamp_slot", fq.slot()).set("fragment_stamp_value", fragmentValue);
        FwObject vjp = vtx.inner("job_params1", JOB_PARAMETERS_1_VERTEX).set("encoder", t.encoder())
                .set("fb_width", t.width()).set("fb_height", t.height()).set("tvb_tilemap", tvb.tileMapVa())
                .set("fragment_job_params", fjp.va()).set("tiling_control", gpu.hwConfig().tilingControl());
        FwObject vjp2 = vtx.inner("job_params2", JOB_PARAMETERS_2); // encoder_end 0: the stream ends at a zero record
        vtx.inner("job_meta", JOB_META).set("stamp", vq.stampVa()).set("fw_stamp", vq.fwStampVa())
                .set("stamp_value", vertexValue).set("stamp_slot", vq.slot()).set("uuid", t.cmdId());
        FwObject[] vms = microsequence(vtxObjects, MicroOp.START_VERTEX, MicroOp.FINALIZE_VERTEX, MicroOp.PIPE_VERTEX, vts,
                t.cmdId());
        vms[0].set("job_params1", vjp.va()).set("job_params2", vjp2.va()).set("buffer", tvb.infoVa())
                .set("work_queue", vq.queueInfoVa()).set("vm_slot", vmSlot).set("uuid", t.cmdId()).set("counter", counter);
        vms[4].set("fw_stamp", vq.fwStampVa()).set("stamp_value", vertexValue).set("buffer", tvb.infoVa())
                .set("work_queue", vq.queueInfoVa()).set("vm_slot", vmSlot).set("uuid", t.cmdId());
        vtx.set("microsequence", vms[0].va()).set("microsequence_size", size(vms, abi));

        FwObject barrier = FwObject.allocate(vm, abi, AbiType.BARRIER).set("tag", 4).set("wait_stamp", vq.fwStampVa())
                .set("wait_value", vertexValue).set("wait_slot", vq.slot()).set("uuid", t.cmdId());
        return new Built(new WorkQueue.Command(vtx.va(), vertexValue, vertexDone, vtxObjects, replay),
                new WorkQueue.Command(barrier.va(), 0, null, List.of(barrier.alloc()), replay),
                new WorkQueue.Command(frag.va(), fragmentValue, fragmentDone, fragObjects, replay), vts, fts);
    }
}
