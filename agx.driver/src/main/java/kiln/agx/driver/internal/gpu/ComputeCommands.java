package kiln.agx.driver.internal.gpu;

import static kiln.agx.api.firmware.AbiType.*;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;

import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.FirmwareAbi;
import kiln.agx.api.firmware.MicroOp;
import kiln.drm.api.DrmException;

/**
 * Builds the firmware objects of compute work ({@code queue/compute.rs}) and barriers: a
 * {@code RunCompute} with its job parameters, job meta and the standard microsequence
 * (StartCompute, Timestamp start, WaitForIdle compute, Timestamp end, FinalizeCompute,
 * RetireStamp), in the bound firmware's ABI. Every object is listed for freeing after the
 * command completes.
 */
public final class ComputeCommands {
    private static final long PIPELINE_BASE = 0x11_0000_0000L;
    private static final MicroOp[] PROGRAM = {MicroOp.START_COMPUTE, MicroOp.TIMESTAMP, MicroOp.WAIT_FOR_IDLE,
            MicroOp.TIMESTAMP, MicroOp.FINALIZE_COMPUTE, MicroOp.RETIRE_STAMP};
    private final AgxGpu gpu;
    private final FirmwareAbi abi;
    /** One block per command: the RunCompute, its timestamps, its microsequence. */
    private final FwTemplate template;
    private final long tsAt;
    private final long jp1At;
    private final long jp2At;
    private final long msAt;
    private final FwTemplate.Slot[] vmSlot;
    private final FwTemplate.Slot[] workQueue;
    private final FwTemplate.Slot[] uuid;
    private final FwTemplate.Slot[] counter;
    private final FwTemplate.Slot[] stampValue;
    private final FwTemplate.Slot[] fwStamp;
    private final FwTemplate.Slot[] jobParams2;
    private final FwTemplate.Slot timestamps, microsequence, jobParams1, encoder, encoderEnd, stamp, stampSlot, tsStart,
            tsEnd;

    /** The ABI these commands are built in. */
    public FirmwareAbi abi() {
        return abi;
    }

    public ComputeCommands(AgxGpu gpu) {
        this.gpu = gpu;
        this.abi = gpu.abi();
        FwTemplate t = new FwTemplate(abi);
        long cmd = t.add(RUN_COMPUTE);
        tsAt = t.add(TIMESTAMPS);
        long[] op = new long[PROGRAM.length];
        msAt = t.reserve(0);
        long msBytes = 0;
        for (int i = 0; i < PROGRAM.length; i++) {
            op[i] = msAt + msBytes;
            msBytes += abi.sizeOf(PROGRAM[i].layout());
        }
        t.reserve(msBytes);
        jp1At = t.inner(cmd, RUN_COMPUTE, "job_params1");
        jp2At = t.inner(cmd, RUN_COMPUTE, "job_params2");
        long meta = t.inner(cmd, RUN_COMPUTE, "job_meta");
        long stats = gpu.initData().statsComp().va();
        t.constant(cmd, RUN_COMPUTE, "tag", 3).constant(cmd, RUN_COMPUTE, "stats", stats)
                .constant(cmd, RUN_COMPUTE, "microsequence_size", msBytes)
                .constant(jp1At, JOB_PARAMETERS_1_COMPUTE, "pipeline_base", PIPELINE_BASE)
                .constant(jp1At, JOB_PARAMETERS_1_COMPUTE, "unk_38", 0x8c60);
        for (int i = 0; i < PROGRAM.length; i++) {
            t.constant(op[i], PROGRAM[i].layout(), "op", PROGRAM[i].opcode());
        }
        AbiType start = PROGRAM[0].layout(), tsOp = PROGRAM[1].layout(), finalize = PROGRAM[4].layout();
        t.constant(op[0], start, "stats", stats)
                .constant(op[1], tsOp, "arg", MicroOp.TIMESTAMP_START & 0xffff_ffffL)
                .constant(op[2], PROGRAM[2].layout(), "arg", MicroOp.PIPE_COMPUTE)
                .constant(op[4], finalize, "stats", stats)
                .constant(op[5], PROGRAM[5].layout(), "arg", MicroOp.RETIRE_STAMP_ARG);
        template = t.seal();
        vmSlot = new FwTemplate.Slot[] {t.slot(cmd, RUN_COMPUTE, "vm_slot"), t.slot(op[0], start, "vm_slot"),
                t.slot(op[4], finalize, "vm_slot")};
        workQueue = new FwTemplate.Slot[] {t.slot(cmd, RUN_COMPUTE, "work_queue"), t.slot(op[0], start, "work_queue"),
                t.slot(op[4], finalize, "work_queue")};
        uuid = new FwTemplate.Slot[] {t.slot(meta, JOB_META, "uuid"), t.slot(op[0], start, "uuid"),
                t.slot(op[1], tsOp, "uuid"), t.slot(op[3], tsOp, "uuid"), t.slot(op[4], finalize, "uuid")};
        counter = new FwTemplate.Slot[] {t.slot(cmd, RUN_COMPUTE, "counter"), t.slot(op[0], start, "counter")};
        stampValue = new FwTemplate.Slot[] {t.slot(meta, JOB_META, "stamp_value"), t.slot(op[4], finalize, "stamp_value")};
        fwStamp = new FwTemplate.Slot[] {t.slot(meta, JOB_META, "fw_stamp"), t.slot(op[4], finalize, "fw_stamp")};
        jobParams2 = new FwTemplate.Slot[] {t.slot(op[0], start, "job_params2"), t.slot(op[4], finalize, "job_params2")};
        timestamps = t.slot(cmd, RUN_COMPUTE, "timestamps");
        microsequence = t.slot(cmd, RUN_COMPUTE, "microsequence");
        jobParams1 = t.slot(op[0], start, "job_params1");
        encoder = t.slot(jp1At, JOB_PARAMETERS_1_COMPUTE, "encoder");
        encoderEnd = t.slot(jp2At, JOB_PARAMETERS_2, "encoder_end");
        stamp = t.slot(meta, JOB_META, "stamp");
        stampSlot = t.slot(meta, JOB_META, "stamp_slot");
        tsStart = t.slot(op[1], tsOp, "update_ts");
        tsEnd = t.slot(op[3], tsOp, "update_ts");
    }

    /** What a compute command reports back: its start and end GPU timestamps. */
    public record Built(WorkQueue.Command command, KernelVm.Alloc timestamps) {
    }

    private static void set(FwTemplate.Slot[] slots, MemorySegment block, long value) {
        for (FwTemplate.Slot s : slots) {
            s.set(block, value);
        }
    }

    /**
     * A compute command on {@code wq} completing with {@code value}: one kernel allocation holding
     * the RunCompute (job parameters and job meta embedded), its timestamps and its microsequence.
     *
     * @param counter the queue's command counter (13.0b4+ firmware)
     * @param replay  how a swap builds it again, or null
     */
    public Built compute(WorkQueue wq, int vmSlot, long encoder, long encoderEnd, int value, int cmdId, long counter,
            Consumer<WorkError> done, Replay replay) throws DrmException {
        KernelVm.Alloc block = template.build(gpu.kernel());
        MemorySegment b = block.cpu();
        long va = block.va();
        set(this.vmSlot, b, vmSlot);
        set(workQueue, b, wq.queueInfoVa());
        set(uuid, b, cmdId & 0xffff_ffffL);
        set(this.counter, b, counter);
        set(stampValue, b, value & 0xffff_ffffL);
        set(fwStamp, b, wq.fwStampVa());
        set(jobParams2, b, va + jp2At);
        timestamps.set(b, va + tsAt);
        microsequence.set(b, va + msAt);
        jobParams1.set(b, va + jp1At);
        this.encoder.set(b, encoder);
        this.encoderEnd.set(b, encoderEnd);
        stamp.set(b, wq.stampVa());
        stampSlot.set(b, wq.slot());
        tsStart.set(b, va + tsAt);
        tsEnd.set(b, va + tsAt + 8);
        KernelVm.Alloc ts = new KernelVm.Alloc(va + tsAt, b.asSlice(tsAt, abi.sizeOf(TIMESTAMPS)));
        return new Built(new WorkQueue.Command(va, value, done, List.of(block), replay), ts);
    }

    /** A barrier on {@code waiter}'s ring until {@code on}'s stamp reaches {@code value}; part of {@code replay}'s command. */
    public WorkQueue.Command barrier(WorkQueue on, int value, int uuid, Replay replay) throws DrmException {
        FwObject b = FwObject.allocate(gpu.kernel(), abi, BARRIER).set("tag", 4).set("wait_stamp", on.fwStampVa())
                .set("wait_value", value).set("wait_slot", on.slot()).set("uuid", uuid & 0xffff_ffffL);
        return new WorkQueue.Command(b.va(), 0, null, List.of(b.alloc()), replay);
    }
}
