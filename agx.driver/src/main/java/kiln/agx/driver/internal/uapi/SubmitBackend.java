package kiln.agx.driver.internal.uapi;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kiln.agx.api.firmware.FirmwareProtocol;
import kiln.agx.api.uapi.AsahiUapi;
import kiln.agx.driver.internal.gpu.AgxGpu;
import kiln.agx.driver.internal.gpu.ComputeCommands;
import kiln.agx.driver.internal.gpu.InitDataBuilder;
import kiln.agx.driver.internal.gpu.RenderCommands;
import kiln.agx.driver.internal.gpu.Replay;
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

    /**
     * The command builders for one firmware boot: its ABI and its InitData (compute commands come
     * from a template holding the InitData's statistics block, which a restart of the same
     * firmware after a crash replaces too).
     */
    record Builders(InitDataBuilder.Built init, ComputeCommands compute, RenderCommands render) {
        Builders(AgxGpu gpu) {
            this(gpu.initData(), new ComputeCommands(gpu), new RenderCommands(gpu));
        }
    }

    private final AgxGpu gpu;
    // Replaced on the first use after a swap (inside a firmware section, or by the swap itself,
    // so the firmware cannot change between the check and the use).
    private volatile Builders builders;

    SubmitBackend(AgxGpu gpu) {
        this.gpu = gpu;
        this.builders = new Builders(gpu);
    }

    /** The builders for the GPU's current firmware boot. */
    Builders builders() {
        Builders b = builders;
        if (b.init() != gpu.initData()) {
            synchronized (this) {
                b = builders;
                if (b.init() != gpu.initData()) {
                    b = new Builders(gpu);
                    builders = b;
                }
            }
        }
        return b;
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
        AsahiQueue q = s.queue();
        JobCompletion completion = new JobCompletion(s);
        List<WorkQueue.Command> vtx = new ArrayList<>(0);
        List<WorkQueue.Command> frag = new ArrayList<>(0);
        List<WorkQueue.Command> comp = new ArrayList<>(s.commands().size());
        Replay.Sink sink = (wq, c) -> (wq == q.compute ? comp : wq == q.vertex ? vtx : frag).add(c);
        int vValue = q.vertex == null ? 0 : q.vertex.lastValue();
        int fValue = q.fragment == null ? 0 : q.fragment.lastValue();
        int cValue = q.compute == null ? 0 : q.compute.lastValue();
        // per subqueue, the events a barrier index names: [before this job, then each command's]
        int[] renderEvents = new int[s.commands().size() + 1];
        int[] computeEvents = new int[s.commands().size() + 1];
        renderEvents[0] = fValue;
        computeEvents[0] = cValue;
        try {
            int renders = 0;
            int computes = 0;
            for (SubmitJob.Command c : s.commands()) {
                int renderBarrier = c.barriers()[AsahiUapi.SUBQUEUE_RENDER];
                int computeBarrier = c.barriers()[AsahiUapi.SUBQUEUE_COMPUTE];
                if (c instanceof SubmitJob.Compute cc) {
                    boolean barrier = renderBarrier != AsahiUapi.BARRIER_NONE && q.fragment != null;
                    cValue += FirmwareProtocol.STAMP_STEP;
                    new ComputeWork(this, s, cc, completion, barrier, barrier ? renderEvents[renderBarrier] : 0, cValue,
                            ++q.counter).rebuild(sink);
                    computeEvents[++computes] = cValue;
                } else if (c instanceof SubmitJob.Render rc) {
                    boolean barrier = computeBarrier != AsahiUapi.BARRIER_NONE && q.compute != null;
                    vValue += FirmwareProtocol.STAMP_STEP;
                    fValue += FirmwareProtocol.STAMP_STEP;
                    long counter = q.counter += 2;
                    new RenderWork(this, s, rc, completion, barrier, barrier ? computeEvents[computeBarrier] : 0, vValue,
                            fValue, counter - 1).rebuild(sink);
                    renderEvents[++renders] = fValue;
                }
            }
        } catch (DrmException | RuntimeException e) {
            // a command could not be built (kernel memory ran out): what was built is freed and
            // nothing was queued; the job fails with the error and its fence still signals once
            for (List<WorkQueue.Command> built : List.of(frag, vtx, comp)) {
                built.forEach(c -> c.objects().forEach(gpu.kernel()::free));
            }
            s.fence().signal(e instanceof DrmException d ? d.errno() : kiln.drm.api.Errno.EIO);
            throw e;
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
                java.util.Set<Object> failed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                for (int j = i; j < batches.size(); j++) {
                    for (WorkQueue.Command c : batches.get(j)) {
                        c.objects().forEach(gpu.kernel()::free);
                        if (c.done() != null) {
                            WorkQueue.complete(c.done(), error);
                            failed.add(c.replay());
                        }
                    }
                }
                gpu.countFailedByCrash(failed.size());
                break;
            }
        }
        return s.fence();
    }

    /** The scheduler's 100 s timeout: the firmware's own watchdog reports hangs long before; this one means a dead GPU. */
    @Override
    public TimeoutStatus timedOut(Job<SubmitJob> job) {
        LOG.warn("Job timed out on the DRM scheduler, things will probably break");
        return TimeoutStatus.NO_DEVICE;
    }

    /**
     * The queue's scheduler is torn down with the job on the firmware: its job fence signals
     * ECANCELED now (the kernel's {@code cancel_job}); the commands still run to their end and
     * give back what they hold, their completion finding the fence signalled.
     */
    @Override
    public void cancel(Job<SubmitJob> job) {
        job.data().cancel();
    }

    @Override
    public void free(Job<SubmitJob> job) {
        job.data().releaseResults();
    }
}
