package kiln.agx.driver.internal.uapi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kiln.agx.api.firmware.FirmwareProtocol;
import kiln.agx.api.hw.FaultInfo;
import kiln.agx.api.uapi.AsahiUapi;
import kiln.agx.api.uapi.UapiStruct;
import kiln.agx.driver.internal.gpu.AgxGpu;
import kiln.agx.driver.internal.gpu.ComputeCommands;
import kiln.agx.driver.internal.gpu.KernelVm;
import kiln.agx.driver.internal.gpu.WorkError;
import kiln.agx.driver.internal.gpu.WorkQueue;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.sched.Job;
import kiln.drm.api.sched.JobBackend;
import kiln.drm.api.sched.TimeoutStatus;

/**
 * Runs SUBMIT jobs when the scheduler releases them ({@code QueueJob::run}): builds each command
 * in the firmware's ABI, queues it on its work queue with the explicit barriers it asked for,
 * and returns the job fence. Each command's completion writes its result (status, fault,
 * timestamps) into the result buffer; the last one signals the job fence with the first error,
 * which the scheduler passes on to the finished fence and so to the out-syncs.
 */
final class SubmitBackend implements JobBackend<SubmitJob> {
    private static final Logger LOG = LoggerFactory.getLogger(SubmitBackend.class);
    private final AgxGpu gpu;
    private final ComputeCommands builder;

    SubmitBackend(AgxGpu gpu) {
        this.gpu = gpu;
        this.builder = new ComputeCommands(gpu);
    }

    @Override
    public DmaFence run(Job<SubmitJob> job) throws DrmException {
        SubmitJob s = job.data();
        if (gpu.crashed()) {
            throw DrmException.quiet(Errno.ENODEV, "GPU crashed");
        }
        AsahiQueue q = s.queue();
        WorkQueue wq = q.compute;
        AtomicInteger left = new AtomicInteger(s.commands().size());
        AtomicReference<WorkError> firstError = new AtomicReference<>();
        List<WorkQueue.Command> commands = new ArrayList<>();
        int value = wq.lastValue();
        for (SubmitJob.ComputeCommand c : s.commands()) {
            value += FirmwareProtocol.STAMP_STEP;
            KernelVm.Alloc[] ts = new KernelVm.Alloc[1];
            ComputeCommands.Built built = builder.compute(wq, q.vmSlot, c.encoder(), c.encoderEnd(), value, c.cmdId(),
                    ++q.counter, error -> {
                        if (error != null) {
                            firstError.compareAndSet(null, error);
                        }
                        writeResult(s, c, error, ts[0]);
                        if (left.decrementAndGet() == 0) {
                            signal(s, firstError.get());
                        }
                    });
            ts[0] = built.timestamps();
            commands.add(built.command());
        }
        wq.submit(commands);
        return s.fence();
    }

    private void signal(SubmitJob s, WorkError error) {
        try {
            s.fence().signal(error == null ? null : error.kind().errno());
        } catch (DrmException e) {
            LOG.error("job fence of submission {} signalled twice", s.id(), e);
        }
    }

    /** Writes {@code drm_asahi_result_compute} for {@code c}, if it asked for one. */
    private static void writeResult(SubmitJob s, SubmitJob.ComputeCommand c, WorkError error, KernelVm.Alloc ts) {
        if (s.results() == null || c.resultSize() == 0) {
            return;
        }
        UapiStruct r = UapiStruct.RESULT_COMPUTE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(r.size());
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
            if (ts != null) {
                out.set(ValueLayout.JAVA_LONG_UNALIGNED, r.offset("ts_start"), ts.cpu().get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
                out.set(ValueLayout.JAVA_LONG_UNALIGNED, r.offset("ts_end"), ts.cpu().get(ValueLayout.JAVA_LONG_UNALIGNED, 8));
            }
            MemorySegment.copy(out, 0, s.results().memory(), c.resultOffset(), Math.min(c.resultSize(), r.size()));
        }
    }

    /** The scheduler's 100 s timeout: the firmware's own watchdog reports hangs long before; this one means a dead GPU. */
    @Override
    public TimeoutStatus timedOut(Job<SubmitJob> job) {
        LOG.warn("Job timed out on the DRM scheduler, things will probably break");
        return TimeoutStatus.NO_DEVICE;
    }

    @Override
    public void free(Job<SubmitJob> job) {
        SubmitJob s = job.data();
        if (s.results() != null) {
            s.results().close();
        }
        if (s.result() != null) {
            s.result().put();
        }
    }
}
