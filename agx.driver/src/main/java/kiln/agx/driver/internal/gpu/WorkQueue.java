package kiln.agx.driver.internal.gpu;

import static kiln.agx.api.firmware.AbiType.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import kiln.agx.api.firmware.AbiField;
import kiln.agx.api.firmware.FirmwareAbi;
import kiln.agx.api.firmware.FirmwareProtocol;
import kiln.agx.api.firmware.PipeType;
import kiln.agx.api.hw.AscMessages;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;

/**
 * The driver's side of one firmware work queue ({@code workqueue.rs}): descriptor, ring state and
 * ring of command pointers in kernel memory, the event slot it completes on and the commands in
 * flight.
 *
 * <h2>Contract</h2>
 * {@link #submit} assigns each command the next event value (+0x100), writes the command
 * pointers, moves {@code cpu_wptr}, queues a {@code RunWorkQueueMsg} on its pipe channel and rings
 * the doorbell; EBUSY if the ring lacks room (nothing is written then). {@link #signal} (from the
 * event channel) reads the stamp and completes, in order, every command whose value it reached:
 * each command's callback runs once, with the error recorded against it ({@link #markError}) or
 * null, and then its kernel objects are freed; a callback that throws is logged as the driver bug
 * it is and stops nothing else. {@link #failAll} completes everything at once (a
 * crashed firmware). Thread-safe; callbacks run outside the lock.
 */
public final class WorkQueue {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WorkQueue.class);
    /** Real: {@code WQ_SIZE}. */
    public static final int SIZE = 0x500;

    /** A command in flight. */
    private static final class Pending {
        final int value;
        final Consumer<WorkError> done;
        final List<KernelVm.Alloc> objects;
        final Replay replay;
        WorkError error;

        Pending(int value, Consumer<WorkError> done, List<KernelVm.Alloc> objects, Replay replay) {
            this.value = value;
            this.done = done;
            this.objects = objects;
            this.replay = replay;
        }
    }

    /**
     * A command to queue: its GPU VA; the event value it completes with and its callback (0 and
     * null for a command that completes nothing, a barrier: its objects are freed with the next
     * command that does); the kernel objects to free after it; how a swap builds it again (null:
     * it cannot be, and is killed if a swap finds it unfinished).
     */
    public record Command(long va, int value, Consumer<WorkError> done, List<KernelVm.Alloc> objects, Replay replay) {
        public Command(long va, int value, Consumer<WorkError> done, List<KernelVm.Alloc> objects) {
            this(va, value, done, objects, null);
        }
    }

    /**
     * A completing command a halted firmware left unfinished, with the commands queued before it
     * that complete nothing; {@code started} if the firmware had launched its unit work.
     */
    record Unfinished(WorkQueue queue, int value, Replay replay, Consumer<WorkError> done, List<KernelVm.Alloc> objects,
            boolean started) {
    }

    /** The firmware-visible part, in one firmware's ABI; replaced whole by a swap. */
    private record Descriptor(FwObject info, FwObject ringState, KernelVm.Alloc ring, KernelVm.Alloc gpuBuf,
            AbiField wptrField) {

        static Descriptor allocate(KernelVm vm, FirmwareAbi abi, int priority, FwObject gpuContext) throws DrmException {
            List<KernelVm.Alloc> made = new ArrayList<>();
            try {
                FwObject ringState = FwObject.allocate(vm, abi, RING_STATE).set("rb_size", SIZE);
                made.add(ringState.alloc());
                KernelVm.Alloc ring = vm.allocate(8L * SIZE);
                made.add(ring);
                KernelVm.Alloc gpuBuf = vm.allocate(0x2c18);
                made.add(gpuBuf);
                FwObject info = FwObject.allocate(vm, abi, QUEUE_INFO).set("state", ringState.va()).set("ring", ring.va())
                        .set("event_id", 0xffff_ffffL).set("priority", 0, priority).set("gpu_context", gpuContext.va())
                        .set("gpu_buf", gpuBuf.va());
                return new Descriptor(info, ringState, ring, gpuBuf, abi.field(RING_STATE, "cpu_wptr"));
            } catch (DrmException | RuntimeException e) {
                made.forEach(vm::free);
                throw e;
            }
        }

        void free(KernelVm vm) {
            vm.free(info.alloc());
            vm.free(gpuBuf);
            vm.free(ring);
            vm.free(ringState.alloc());
        }
    }

    private final AgxGpu gpu;
    private final PipeType pipe;
    private final int priority;
    private final int slot;
    private volatile Descriptor d;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final int vmSlot;
    private int wptr;
    private int value;
    private boolean isNew = true;
    private boolean dead;
    private boolean closing;
    private boolean slotReleased;
    private Runnable drained;

    WorkQueue(AgxGpu gpu, PipeType pipe, int priority, int vmSlot, FwObject gpuContext) throws DrmException {
        this.gpu = gpu;
        this.pipe = pipe;
        this.priority = priority;
        this.vmSlot = vmSlot;
        this.slot = gpu.events().acquire(this);
        try {
            this.d = Descriptor.allocate(gpu.kernel(), gpu.abi(), priority, gpuContext);
        } catch (DrmException | RuntimeException e) {
            gpu.events().release(slot);
            throw e;
        }
        this.value = gpu.events().stamp(slot);
    }

    public PipeType pipe() {
        return pipe;
    }

    public int slot() {
        return slot;
    }

    /** The UAT slot of the VM this queue's commands run in. */
    public int vmSlot() {
        return vmSlot;
    }

    /** The event value the last queued command completes with (what a barrier on this queue waits for). */
    public synchronized int lastValue() {
        return value;
    }

    /** The {@code QueueInfo}'s VA (commands name their work queue). */
    public long queueInfoVa() {
        return d.info().va();
    }

    public long fwStampVa() {
        return gpu.events().fwStampVa(slot);
    }

    public long stampVa() {
        return gpu.events().stampVa(slot);
    }

    /** Commands in flight. */
    public synchronized int inFlight() {
        return pending.size();
    }

    /**
     * Queues {@code commands} and tells the firmware. Completing commands must carry the values
     * that follow {@link #lastValue}, one {@code STAMP_STEP} apart, in order (builders compute
     * them from {@code lastValue()}; one submitter per queue at a time).
     *
     * @throws DrmException EBUSY if the ring has no room; ENODEV once the queue is dead
     */
    public void submit(List<Command> commands) throws DrmException {
        submit(commands, false);
    }

    private void submit(List<Command> commands, boolean replay) throws DrmException {
        synchronized (this) {
            if (dead) {
                throw DrmException.quiet(Errno.ENODEV, "GPU crashed");
            }
            if (closing && !replay) {
                throw DrmException.quiet(Errno.ENOENT, "queue destroyed");
            }
            if (pending.size() + commands.size() >= SIZE - 1) {
                throw DrmException.quiet(Errno.EBUSY, "work queue full");
            }
            int expected = value;
            for (Command c : commands) {
                if (c.done() != null && c.value() != (expected += FirmwareProtocol.STAMP_STEP)) {
                    throw new IllegalStateException("command value 0x" + Integer.toHexString(c.value()) + ", expected 0x"
                            + Integer.toHexString(expected));
                }
            }
            Descriptor d = this.d;
            MemorySegment r = d.ring().cpu();
            List<KernelVm.Alloc> carried = new ArrayList<>();
            for (Command c : commands) {
                r.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L * wptr, c.va());
                wptr = (wptr + 1) % SIZE;
                carried.addAll(c.objects());
                if (c.done() != null) {
                    value = c.value();
                    pending.add(new Pending(value, c.done(), carried, c.replay()));
                    carried = new ArrayList<>();
                }
            }
            if (!carried.isEmpty()) {
                throw new IllegalStateException("a submission must end with a command that completes");
            }
            d.wptrField().set(d.ringState().alloc().cpu(), 0, wptr);
            gpu.runWorkQueue(pipe, priority, d.info().va(), wptr, slot, isNew);
            isNew = false;
        }
        gpu.send(AscMessages.EP_DOORBELL, AscMessages.doorbell(pipe.doorbell(priority)));
    }

    /** The stamp moved: completes every command it reached, in order. */
    void signal() {
        List<Pending> done = new ArrayList<>();
        boolean drained;
        synchronized (this) {
            int stamp = gpu.events().stamp(slot);
            while (!pending.isEmpty() && stamp - pending.peek().value >= 0) {
                done.add(pending.poll());
            }
            drained = closing && pending.isEmpty();
        }
        finish(done);
        if (drained) {
            releaseSlot();
        }
    }

    /** Records {@code error} against the command now running (the oldest in flight). */
    synchronized boolean markError(WorkError error) {
        Pending p = pending.peek();
        if (p == null || p.error != null) {
            return false;
        }
        p.error = error;
        return true;
    }

    /**
     * Completes every command in flight with {@code error} and refuses more (the firmware is gone),
     * adding to {@code commands} the user commands they belong to (their replay, or the command
     * itself). The stamps move to the last command's value, so that barriers of a restarted
     * firmware waiting for any of them pass.
     */
    void failAll(WorkError error, java.util.Set<Object> commands) {
        List<Pending> done;
        synchronized (this) {
            dead = true;
            done = new ArrayList<>(pending);
            pending.clear();
            done.forEach(p -> p.error = p.error != null ? p.error : error);
            if (!done.isEmpty()) {
                gpu.events().setStamps(slot, value);
            }
            done.forEach(p -> commands.add(p.replay != null ? p.replay : p));
        }
        finish(done);
        if (closing) {
            releaseSlot();
        }
    }

    /**
     * Runs each command's callback, then frees its objects. A callback that throws is a driver bug
     * and is logged as one, but it costs only its own command: the commands after it, often other
     * clients', still complete.
     */
    private void finish(List<Pending> done) {
        for (Pending p : done) {
            try {
                complete(p.done, p.error);
            } finally {
                p.objects.forEach(gpu.kernel()::free);
            }
        }
    }

    /**
     * Runs one command's completion. Every place that completes commands in a batch goes through
     * here, so that one completion that throws (a driver bug, logged as one) never keeps the
     * others, often other clients', from completing.
     */
    public static void complete(Consumer<WorkError> done, WorkError error) {
        try {
            done.accept(error);
        } catch (RuntimeException e) {
            LOG.error("BUG: a command's completion threw; the other commands still complete", e);
        }
    }

    /**
     * The queue is gone: nothing more is accepted; commands already with the firmware finish (it
     * may be reading them) and complete normally; after the last the event slot is freed and
     * {@code whenDrained} runs (once). The descriptor stays until {@link #release}.
     */
    public void close(Runnable whenDrained) {
        boolean idle;
        synchronized (this) {
            closing = true;
            drained = whenDrained;
            idle = pending.isEmpty();
        }
        if (idle) {
            releaseSlot();
        }
    }

    private void releaseSlot() {
        Runnable then;
        synchronized (this) {
            if (slotReleased) {
                return;
            }
            slotReleased = true;
            then = drained;
        }
        gpu.events().release(slot);
        if (then != null) {
            then.run();
        }
    }

    /**
     * Frees the descriptor (QueueInfo, ring, ring state, private buffer): only after the queue
     * drained and the firmware forgot its context, which still names it until then.
     */
    public void release() {
        d.free(gpu.kernel());
    }

    /** Adds to {@code counts}, per replay, its commands in flight here whose value the stamp has not reached. */
    synchronized void countUnfinished(java.util.Map<Replay, Integer> counts) {
        int stamp = gpu.events().stamp(slot);
        for (Pending p : pending) {
            if (p.replay != null && stamp - p.value < 0) {
                counts.merge(p.replay, 1, Integer::sum);
            }
        }
    }

    /**
     * Swap, the old firmware stopped: completes what its stamp reached, then hands over every
     * other command in flight, oldest first, and forgets them; the first is {@code started} if
     * {@code running} (the firmware had launched it: a queue runs one command at a time, in order).
     */
    List<Unfinished> takeUnfinished(boolean running) {
        signal();
        synchronized (this) {
            List<Unfinished> out = new ArrayList<>(pending.size());
            for (Pending p : pending) {
                out.add(new Unfinished(this, p.value, p.replay, p.done, p.objects, running && out.isEmpty()));
            }
            pending.clear();
            return out;
        }
    }

    /**
     * Swap, after {@link #takeUnfinished}: with {@code killed}, the stamps (the driver's and the
     * firmware's) move to {@code lastKilled}, the last killed command's value, so barriers waiting
     * for it pass; either way the next command queued completes with the value after the stamp.
     */
    synchronized void restart(int lastKilled, boolean killed) {
        if (killed) {
            gpu.events().setStamps(slot, lastKilled);
        }
        value = gpu.events().stamp(slot);
    }

    /** Swap: queues replayed commands (on a destroyed queue too: its work still runs to the end). */
    void replay(List<Command> commands) throws DrmException {
        submit(commands, true);
    }

    /** Swap done: a destroyed queue left with nothing in flight gives its slot back now. */
    void replayed() {
        boolean drained;
        synchronized (this) {
            drained = closing && pending.isEmpty();
        }
        if (drained) {
            releaseSlot();
        }
    }

    /**
     * Swap: the descriptor anew in the GPU's (new) ABI for {@code gpuContext}, the old one freed;
     * the ring starts empty and the firmware meets the queue as new. The event slot and its stamp
     * (the values commands complete with) carry on.
     *
     * @throws IllegalStateException if a command is in flight (the swap drains first)
     */
    public synchronized void rebuild(FwObject gpuContext) throws DrmException {
        if (!pending.isEmpty()) {
            throw new IllegalStateException(pending.size() + " commands in flight on " + pipe + " slot " + slot);
        }
        if (slotReleased) {
            return; // destroyed and drained: the firmware will forget it, nothing will run on it
        }
        Descriptor next = Descriptor.allocate(gpu.kernel(), gpu.abi(), priority, gpuContext);
        d.free(gpu.kernel());
        d = next;
        wptr = 0;
        isNew = true;
        dead = false; // a crash failed what it had; the restarted firmware takes new work
    }
}
