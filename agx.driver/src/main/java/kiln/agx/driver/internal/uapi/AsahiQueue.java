package kiln.agx.driver.internal.uapi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;

import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.PipeType;
import kiln.agx.api.uapi.AsahiUapi;
import kiln.agx.driver.internal.gpu.AgxGpu;
import kiln.agx.driver.internal.gpu.FirmwareClient;
import kiln.agx.driver.internal.gpu.FwObject;
import kiln.agx.driver.internal.gpu.Tvb;
import kiln.agx.driver.internal.gpu.Vm;
import kiln.agx.driver.internal.gpu.WorkQueue;
import kiln.drm.api.DrmException;
import kiln.drm.api.fence.FenceContext;
import kiln.drm.api.fence.FenceFactory;
import kiln.drm.api.sched.Entity;
import kiln.drm.api.sched.Priority;
import kiln.drm.api.sched.Scheduler;
import kiln.drm.api.sched.SchedulerFactory;

/**
 * A user queue ({@code queue/mod.rs} {@code Queue}): its VM (held while the queue lives), one
 * scheduler and entity of its own (hw_submission {@code WQ_SIZE}, 100 s timeout, "Priorities are
 * handled by the AGX scheduler"), the firmware context, and work queues per capability: RENDER
 * gets a TVB and a vertex work queue, RENDER or BLIT a fragment work queue, COMPUTE a compute
 * work queue; all at the UAPI priority.
 *
 * <h2>Destruction</h2>
 * {@link #close} ends the entity and the scheduler. For a live process
 * ({@code drm_sched_entity_destroy}) the jobs already submitted get {@code Entity.FLUSH_TIMEOUT}
 * to reach the firmware; for a dying one ({@code drm_sched_entity_kill}) nothing more is handed
 * over. Jobs still queued then are dropped and their fences signal ESRCH; {@code fini} cancels the
 * jobs the firmware has ({@code cancel_job}: their fences signal ECANCELED). Commands the firmware already has still run to their end; once
 * the last work queue drained, the driver sends DestroyContext, and when the firmware has forgotten
 * the context the work-queue descriptors, the context, the TVB and the VM's use are released — so
 * nothing the firmware may still read goes away under it, and everything goes exactly once.
 */
final class AsahiQueue implements AutoCloseable, FirmwareClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(100);
    final int id;
    final Vm vm;
    final int caps;
    final int priority;
    final Scheduler<SubmitJob> scheduler;
    final Entity<SubmitJob> entity;
    final FenceContext fences;
    final WorkQueue compute;
    final WorkQueue vertex;
    final WorkQueue fragment;
    final Tvb tvb;
    final int vmSlot;
    private final AgxGpu gpu;
    private volatile FwObject context;
    /** The 13.0b4+ command counter, +1 per compute command and +2 per render. */
    long counter;
    private final List<WorkQueue> workQueues = new ArrayList<>();
    private volatile boolean destroyed;

    AsahiQueue(int id, AgxGpu gpu, Vm vm, int caps, int priority, SchedulerFactory schedulers, FenceFactory fenceFactory,
            SubmitBackend backend) throws DrmException {
        this.id = id;
        this.vm = vm;
        this.caps = caps;
        this.priority = priority;
        this.gpu = gpu;
        vm.use();
        Tvb heap = null;
        FwObject ctx = null;
        Lock section = gpu.firmwareSection(); // no swap while the structures are built in one ABI
        try {
            this.vmSlot = gpu.slots().bind(vm);
            ctx = newContext(gpu);
            FwObject context = ctx;
            this.context = ctx;
            boolean render = (caps & AsahiUapi.QUEUE_CAP_RENDER) != 0;
            if (render) {
                heap = new Tvb(gpu, vm);
            }
            this.tvb = heap;
            this.vertex = render ? add(gpu.newWorkQueue(PipeType.VERTEX, priority, vmSlot, context)) : null;
            this.fragment = (caps & (AsahiUapi.QUEUE_CAP_RENDER | AsahiUapi.QUEUE_CAP_BLIT)) != 0
                    ? add(gpu.newWorkQueue(PipeType.FRAGMENT, priority, vmSlot, context)) : null;
            this.compute = (caps & AsahiUapi.QUEUE_CAP_COMPUTE) != 0
                    ? add(gpu.newWorkQueue(PipeType.COMPUTE, priority, vmSlot, context)) : null;
            this.fences = fenceFactory.createContext("asahi", "queue-" + id);
            this.scheduler = schedulers.create("asahi_sched", WorkQueue.SIZE, TIMEOUT, backend);
            this.entity = scheduler.createEntity(Priority.NORMAL);
            gpu.register(this);
        } catch (DrmException | RuntimeException e) {
            workQueues.forEach(q -> q.close(null));
            workQueues.forEach(WorkQueue::release); // the firmware never heard of them
            if (ctx != null) {
                gpu.kernel().free(ctx.alloc());
            }
            if (heap != null) {
                heap.close();
            }
            vm.unuse();
            throw e;
        } finally {
            section.unlock();
        }
    }

    /** The firmware context data with the real driver's defaults, in the GPU's current ABI. */
    private static FwObject newContext(AgxGpu gpu) throws DrmException {
        return FwObject.allocate(gpu.kernel(), gpu.abi(), AbiType.GPU_CONTEXT_DATA).set("unk_0", 0xff).set("unk_1", 0xff)
                .set("unk_5", 1).set("unk_1e", 0xff).set("unk_23", 2);
    }

    /** Swap: the context, the work queues' descriptors and the TVB's info in the new ABI. */
    @Override
    public void rebuild() throws DrmException {
        FwObject next = newContext(gpu);
        for (WorkQueue w : workQueues) {
            w.rebuild(next);
        }
        gpu.kernel().free(context.alloc());
        context = next;
        if (tvb != null) {
            tvb.rebuild();
        }
    }

    private WorkQueue add(WorkQueue wq) {
        workQueues.add(wq);
        return wq;
    }

    /** Whether {@link #close} began: a submission that raced it answers as if it came after. */
    boolean destroyed() {
        return destroyed;
    }

    /** {@code close(false)}: a live process destroys the queue. */
    @Override
    public void close() {
        close(false);
    }

    /** Destroys the queue; {@code processExiting} drops its queued jobs at once instead of flushing them. */
    void close(boolean processExiting) {
        destroyed = true;
        if (processExiting) {
            entity.kill();
        } else {
            entity.destroy();
        }
        scheduler.fini(); // not inside a firmware section: its thread may be waiting for one
        Lock section = gpu.firmwareSection();
        try {
            closeWorkQueues();
        } finally {
            section.unlock();
        }
    }

    private void closeWorkQueues() {
        AtomicInteger left = new AtomicInteger(workQueues.size());
        Runnable drained = () -> {
            if (left.decrementAndGet() == 0) {
                // a swap rebuilt (and replayed) what it had until now; nothing is left to run
                gpu.unregister(this);
                gpu.destroyContext(context, () -> {
                    workQueues.forEach(WorkQueue::release);
                    gpu.kernel().free(context.alloc());
                    if (tvb != null) {
                        tvb.close();
                    }
                    vm.unuse();
                });
            }
        };
        workQueues.forEach(q -> q.close(drained));
    }
}
