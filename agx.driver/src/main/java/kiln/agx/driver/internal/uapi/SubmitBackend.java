package kiln.agx.driver.internal.uapi;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kiln.agx.api.firmware.FirmwareProtocol;
import kiln.agx.api.uapi.AsahiUapi;
import kiln.agx.driver.internal.gpu.AgxGpu;
import kiln.agx.driver.internal.gpu.ComputeCommands;
import kiln.agx.driver.internal.gpu.RenderCommands;
import java.util.function.Consumer;
import kiln.agx.driver.internal.gpu.KernelVm;
import kiln.agx.driver.internal.gpu.WorkError;
import kiln.agx.driver.internal.gpu.WorkQueue;
import kiln.drm.api.DrmException;
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
    // Built for one firmware ABI; replaced on the first job after a swap (scheduler threads only,
    // inside a firmware section, so a swap cannot run between the check and the use).
    private volatile ComputeCommands compute;
    private volatile RenderCommands render;

    SubmitBackend(AgxGpu gpu) {
        this.gpu = gpu;
        this.compute = new ComputeCommands(gpu);
        this.render = new RenderCommands(gpu);
    }

    @Override
    public DmaFence run(Job<SubmitJob> job) throws DrmException {
        // with no firmware, the job waits for one until its deadline (then ENODEV, oldest first)
        long deadline = job.data().submittedNanos() + gpu.noFirmwareDeadlineNanos();
        while (true) {
            Lock section = gpu.firmwareSection(deadline);
            try {
                if (!gpu.crashed()) {
                    return runInSection(job);
                }
                // the firmware crashed after we got in: wait for its restart like the work behind us
            } finally {
                section.unlock();
            }
        }
    }

    private DmaFence runInSection(Job<SubmitJob> job) throws DrmException {
        SubmitJob s = job.data();
        ComputeCommands compute = this.compute;
        RenderCommands render = this.render;
        if (compute.abi() != gpu.abi()) {
            synchronized (this) {
                if (this.compute.abi() != gpu.abi()) {
                    this.compute = new ComputeCommands(gpu);
                    this.render = new RenderCommands(gpu);
                }
                compute = this.compute;
                render = this.render;
            }
        }
        AsahiQueue q = s.queue();
        AtomicInteger left = new AtomicInteger(s.commands().size());
        AtomicReference<WorkError> firstError = new AtomicReference<>();
        Consumer<WorkError> commandDone = error -> {
            if (error != null) {
                firstError.compareAndSet(null, error);
            }
            if (left.decrementAndGet() == 0) {
                signal(s, firstError.get());
                s.releaseResults();
            }
        };
        List<WorkQueue.Command> vtx = new ArrayList<>(0);
        List<WorkQueue.Command> frag = new ArrayList<>(0);
        List<WorkQueue.Command> comp = new ArrayList<>(s.commands().size());
        int vValue = q.vertex == null ? 0 : q.vertex.lastValue();
        int fValue = q.fragment == null ? 0 : q.fragment.lastValue();
        int cValue = q.compute == null ? 0 : q.compute.lastValue();
        // per subqueue, the events a barrier index names: [before this job, then each command's]
        int[] renderEvents = new int[s.commands().size() + 1];
        int[] computeEvents = new int[s.commands().size() + 1];
        int renders = 0;
        int computes = 0;
        renderEvents[0] = fValue;
        computeEvents[0] = cValue;
        for (SubmitJob.Command c : s.commands()) {
            int renderBarrier = c.barriers()[AsahiUapi.SUBQUEUE_RENDER];
            int computeBarrier = c.barriers()[AsahiUapi.SUBQUEUE_COMPUTE];
            if (c instanceof SubmitJob.Compute cc) {
                if (renderBarrier != AsahiUapi.BARRIER_NONE && q.fragment != null) {
                    comp.add(compute.barrier(q.fragment, renderEvents[renderBarrier], FirmwareProtocol.BARRIER_UUID));
                }
                cValue += FirmwareProtocol.STAMP_STEP;
                KernelVm.Alloc[] ts = new KernelVm.Alloc[1];
                ComputeCommands.Built built = compute.compute(q.compute, q.vmSlot, cc.encoder(), cc.encoderEnd(), cValue,
                        cc.cmdId(), ++q.counter, error -> {
                            Results.compute(s, cc, error, ts[0]);
                            commandDone.accept(error);
                        });
                ts[0] = built.timestamps();
                comp.add(built.command());
                computeEvents[++computes] = cValue;
            } else if (c instanceof SubmitJob.Render rc) {
                if (computeBarrier != AsahiUapi.BARRIER_NONE && q.compute != null) {
                    vtx.add(compute.barrier(q.compute, computeEvents[computeBarrier], FirmwareProtocol.BARRIER_UUID));
                }
                WorkQueue.Command grow = q.tvb.growIfAsked(q.vmSlot);
                boolean grew = grow != null;
                if (grew) {
                    vtx.add(grow);
                }
                vValue += FirmwareProtocol.STAMP_STEP;
                fValue += FirmwareProtocol.STAMP_STEP;
                AtomicReference<WorkError> vertexError = new AtomicReference<>();
                RenderCommands.Built[] built = new RenderCommands.Built[1];
                long counter = q.counter += 2;
                built[0] = render.render(q.vertex, q.fragment, q.tvb, q.vmSlot, rc.target(), vValue, fValue, counter - 1,
                        vertexError::set, error -> {
                            WorkError e = error != null ? error : vertexError.get();
                            Results.render(s, rc, e, built[0], q.tvb, grew);
                            commandDone.accept(e);
                        });
                vtx.add(built[0].vertex());
                frag.add(built[0].barrier());
                frag.add(built[0].fragment());
                renderEvents[++renders] = fValue;
            }
        }
        s.holdResults();
        // the real order of doorbells: fragment, vertex, compute
        List<List<WorkQueue.Command>> batches = List.of(frag, vtx, comp);
        WorkQueue[] targets = {q.fragment, q.vertex, q.compute};
        for (int i = 0; i < batches.size(); i++) {
            if (batches.get(i).isEmpty()) {
                continue;
            }
            try {
                targets[i].submit(batches.get(i));
            } catch (DrmException e) {
                // The GPU went away between building and queueing: what was not queued completes
                // here with the error, so the job fence still signals once and nothing stays held.
                WorkError error = WorkError.of(WorkError.Kind.NO_DEVICE);
                int failed = 0;
                for (int j = i; j < batches.size(); j++) {
                    for (WorkQueue.Command c : batches.get(j)) {
                        c.objects().forEach(gpu.kernel()::free);
                        if (c.done() != null) {
                            c.done().accept(error);
                            failed++;
                        }
                    }
                }
                gpu.countFailedByCrash(failed);
                break;
            }
        }
        return s.fence();
    }

    private void signal(SubmitJob s, WorkError error) {
        try {
            s.fence().signal(error == null ? null : error.kind().errno());
        } catch (DrmException e) {
            LOG.error("job fence of submission {} signalled twice", s.id(), e);
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
        job.data().releaseResults();
    }
}
