package kiln.agx.driver.internal.gpu;

import static kiln.agx.api.firmware.AbiType.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

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
    private final AgxGpu gpu;
    private final FirmwareAbi abi;

    public ComputeCommands(AgxGpu gpu) {
        this.gpu = gpu;
        this.abi = gpu.abi();
    }

    /** What a compute command reports back: its start and end GPU timestamps. */
    public record Built(WorkQueue.Command command, KernelVm.Alloc timestamps) {
    }

    /**
     * A compute command on {@code wq} completing with {@code value}.
     *
     * @param counter the queue's command counter (13.0b4+ firmware)
     */
    public Built compute(WorkQueue wq, int vmSlot, long encoder, long encoderEnd, int value, int cmdId, long counter,
            Consumer<WorkError> done) throws DrmException {
        KernelVm vm = gpu.kernel();
        List<KernelVm.Alloc> objects = new ArrayList<>();
        KernelVm.Alloc ts = vm.allocate(abi.sizeOf(TIMESTAMPS));
        objects.add(ts);
        FwObject cmd = FwObject.allocate(vm, abi, RUN_COMPUTE);
        objects.add(cmd.alloc());
        long stats = gpu.initData().statsComp().va();
        cmd.set("tag", 3).set("vm_slot", vmSlot).set("stats", stats).set("work_queue", wq.queueInfoVa())
                .set("timestamps", ts.va()).set("counter", counter);
        FwObject jp1 = cmd.inner("job_params1", JOB_PARAMETERS_1_COMPUTE).set("encoder", encoder)
                .set("pipeline_base", PIPELINE_BASE).set("unk_38", 0x8c60);
        FwObject jp2 = cmd.inner("job_params2", JOB_PARAMETERS_2).set("encoder_end", encoderEnd);
        cmd.inner("job_meta", JOB_META).set("stamp", wq.stampVa()).set("fw_stamp", wq.fwStampVa())
                .set("stamp_value", value).set("stamp_slot", wq.slot()).set("uuid", cmdId);

        MicroOp[] ops = {MicroOp.START_COMPUTE, MicroOp.TIMESTAMP, MicroOp.WAIT_FOR_IDLE, MicroOp.TIMESTAMP,
                MicroOp.FINALIZE_COMPUTE, MicroOp.RETIRE_STAMP};
        long total = 0;
        for (MicroOp op : ops) {
            total += abi.sizeOf(op.layout());
        }
        KernelVm.Alloc ms = vm.allocate(total);
        objects.add(ms);
        FwObject[] o = new FwObject[ops.length];
        long at = 0;
        for (int i = 0; i < ops.length; i++) {
            long size = abi.sizeOf(ops[i].layout());
            o[i] = FwObject.at(abi, ops[i].layout(), new KernelVm.Alloc(ms.va() + at, ms.cpu().asSlice(at, size)))
                    .set("op", ops[i].opcode());
            at += size;
        }
        o[0].set("job_params1", jp1.va()).set("job_params2", jp2.va()).set("stats", stats)
                .set("work_queue", wq.queueInfoVa()).set("vm_slot", vmSlot).set("uuid", cmdId).set("counter", counter);
        o[1].set("arg", MicroOp.TIMESTAMP_START & 0xffff_ffffL).set("update_ts", ts.va()).set("uuid", cmdId);
        o[2].set("arg", MicroOp.PIPE_COMPUTE);
        o[3].set("update_ts", ts.va() + 8).set("uuid", cmdId);
        o[4].set("stats", stats).set("work_queue", wq.queueInfoVa()).set("vm_slot", vmSlot).set("job_params2", jp2.va())
                .set("uuid", cmdId).set("fw_stamp", wq.fwStampVa()).set("stamp_value", value);
        o[5].set("arg", MicroOp.RETIRE_STAMP_ARG);
        cmd.set("microsequence", ms.va()).set("microsequence_size", total);
        return new Built(new WorkQueue.Command(cmd.va(), value, done, objects), ts);
    }

    /** A barrier on {@code waiter}'s ring until {@code on}'s stamp reaches {@code value}. */
    public WorkQueue.Command barrier(WorkQueue on, int value, int uuid) throws DrmException {
        FwObject b = FwObject.allocate(gpu.kernel(), abi, BARRIER).set("tag", 4).set("wait_stamp", on.fwStampVa())
                .set("wait_value", value).set("wait_slot", on.slot()).set("uuid", uuid & 0xffff_ffffL);
        return new WorkQueue.Command(b.va(), 0, null, List.of(b.alloc()));
    }
}
