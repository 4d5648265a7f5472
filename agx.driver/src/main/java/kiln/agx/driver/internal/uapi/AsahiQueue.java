package kiln.agx.driver.internal.uapi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.PipeType;
import kiln.agx.driver.internal.gpu.AgxGpu;
import kiln.agx.driver.internal.gpu.FwObject;
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
 * handled by the AGX scheduler"), the firmware context, and a work queue per capability: compute
 * for COMPUTE. The firmware priority is the UAPI's. Destroying the queue ends the entity and
 * the scheduler (pending jobs fail ENODEV), then releases the work queues' event slots and the VM.
 */
final class AsahiQueue implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(100);
    final int id;
    final Vm vm;
    final int caps;
    final int priority;
    final Scheduler<SubmitJob> scheduler;
    final Entity<SubmitJob> entity;
    final FenceContext fences;
    final WorkQueue compute;
    final int vmSlot;
    long counter;
    private final List<WorkQueue> workQueues = new ArrayList<>();

    AsahiQueue(int id, AgxGpu gpu, Vm vm, int caps, int priority, SchedulerFactory schedulers, FenceFactory fenceFactory,
            SubmitBackend backend) throws DrmException {
        this.id = id;
        this.vm = vm;
        this.caps = caps;
        this.priority = priority;
        vm.use();
        try {
            this.vmSlot = gpu.slots().bind(vm);
            FwObject context = FwObject.allocate(gpu.kernel(), gpu.abi(), AbiType.GPU_CONTEXT_DATA).set("unk_0", 0xff)
                    .set("unk_1", 0xff).set("unk_5", 1).set("unk_1e", 0xff).set("unk_23", 2);
            this.compute = (caps & kiln.agx.api.uapi.AsahiUapi.QUEUE_CAP_COMPUTE) != 0
                    ? add(gpu.newWorkQueue(PipeType.COMPUTE, priority, vmSlot, context)) : null;
            this.fences = fenceFactory.createContext("asahi", "queue-" + id);
            this.scheduler = schedulers.create("asahi_sched", WorkQueue.SIZE, TIMEOUT, backend);
            this.entity = scheduler.createEntity(Priority.NORMAL);
        } catch (DrmException | RuntimeException e) {
            workQueues.forEach(WorkQueue::close);
            vm.unuse();
            throw e;
        }
    }

    private WorkQueue add(WorkQueue wq) {
        workQueues.add(wq);
        return wq;
    }

    @Override
    public void close() {
        entity.destroy();
        scheduler.fini();
        workQueues.forEach(WorkQueue::close);
        vm.unuse();
    }
}
