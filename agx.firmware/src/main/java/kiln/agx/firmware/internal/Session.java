package kiln.agx.firmware.internal;

import static kiln.agx.api.firmware.FirmwareProtocol.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import kiln.agx.api.firmware.CommandType;
import kiln.agx.api.firmware.MicroOp;
import kiln.agx.api.firmware.PipeType;
import kiln.agx.api.hw.AscMessages;
import kiln.agx.api.silicon.AscContext;
import kiln.agx.api.silicon.GpuMemory;
import kiln.agx.api.silicon.MailboxMessage;
import kiln.agx.api.silicon.ReservedRegion;

/**
 * One boot of the firmware on one ASC: the main loop and all of its state. Single-threaded:
 * only the ASC thread runs here; unit completions reach it through {@link AscContext#wake}.
 * See {@link kiln.agx.firmware.FirmwareRuntime} for the behaviour it implements.
 */
final class Session {
    private static final System.Logger LOG = System.getLogger(Session.class.getName());
    private static final long IDLE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long HALTED_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long OUTPUT_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Fields f;
    private final AscContext ctx;
    private final GpuMemory kernel;
    private final MemorySegment handoff;
    private final Launchers launchers;
    private final String name;
    private final long[] opBytes = new long[256];

    private long initData;
    private long globals;
    private long fwStatus;
    private long runtimePointers;
    private Channel deviceControl, event, fwLog, stats, fwCtl;
    private final Channel[][] pipes = new Channel[PipeType.values().length][PRIORITIES];
    private final Map<Long, WorkQueue> queues = new LinkedHashMap<>();
    private final List<WorkQueue> order = new ArrayList<>();
    private final Map<Long, BufferState> buffers = new HashMap<>();
    private final long[] firing = new long[2];
    private boolean initialized;
    private boolean halted;
    private boolean quiesced;
    private boolean hung;
    private int logSeq;
    private int timeouts;
    private long completed;
    private boolean workSinceSample;
    private long busyTicksSinceSample;
    private long lastSampleTicks;

    Session(Fields f, AscContext ctx, String name) {
        this.f = f;
        this.ctx = ctx;
        this.kernel = ctx.memory(0);
        this.handoff = ctx.region(ReservedRegion.HANDOFF);
        this.launchers = new Launchers(f, ctx);
        this.name = name;
        for (MicroOp op : MicroOp.values()) {
            opBytes[op.opcode()] = f.abi.sizeOf(op.layout());
        }
    }

    void run() throws InterruptedException {
        f.hoMagicFw.set(handoff, 0, PPL_MAGIC);
        while (true) {
            MailboxMessage m = ctx.receive(waitNanos(), TimeUnit.NANOSECONDS);
            while (m != null) {
                if (!handle(m)) {
                    return;
                }
                m = ctx.receive(0, TimeUnit.NANOSECONDS);
            }
            if (hung || !initialized) {
                continue;
            }
            if (halted && !resumed()) {
                continue;
            }
            progress();
            flushEvents();
            sampleStats();
        }
    }

    /** Cancels the unit work still running and waits (up to a second) until it is over. */
    void stopUnits() {
        boolean interrupted = Thread.interrupted();
        try {
            for (WorkQueue q : queues.values()) {
                CommandRun run = q.current;
                if (run != null && run.unit != null) {
                    run.unit.cancel();
                    try {
                        run.unit.outcome.get(1, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                            | java.util.concurrent.CancellationException e) {
                        // over one way or another, or stuck: nothing more a stopping firmware can do
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private long waitNanos() {
        if (hung || !initialized) {
            return IDLE_WAIT_NANOS;
        }
        if (halted) {
            return HALTED_POLL_NANOS;
        }
        if ((firing[0] | firing[1]) != 0) {
            return OUTPUT_RETRY_NANOS;
        }
        long wait = IDLE_WAIT_NANOS;
        long timeoutNanos = hangTimeoutNanos();
        if (timeoutNanos > 0) {
            long now = System.nanoTime();
            for (WorkQueue q : order) {
                CommandRun run = q.current;
                if (run != null && run.unit != null) {
                    wait = Math.min(wait, Math.max(0, run.unit.startedNanos + timeoutNanos - now) + 1);
                }
            }
        }
        return wait;
    }

    private long hangTimeoutNanos() {
        return TimeUnit.MILLISECONDS.toNanos(f.glHangTimeout.read(kernel, globals));
    }

    /** Handles one message; false to stop the firmware (halt). */
    private boolean handle(MailboxMessage m) {
        if (hung) {
            return true;
        }
        long type = AscMessages.type(m.payload());
        if (m.endpoint() == AscMessages.EP_FIRMWARE) {
            if (type == AscMessages.MSG_INIT) {
                boot(AscMessages.initAddress(m.payload()));
            } else if (type == AscMessages.MSG_HALT) {
                log("halt requested: stopping");
                return false;
            } else if (type == AscMessages.MSG_FWCTL && fwCtl != null) {
                drainFwCtl();
            } else {
                log("unknown firmware-endpoint message 0x" + Long.toHexString(m.payload()));
            }
        } else if (m.endpoint() == AscMessages.EP_DOORBELL && type == AscMessages.MSG_TX_DOORBELL && initData != 0) {
            int arg = (int) AscMessages.argument(m.payload());
            if (arg == AscMessages.DOORBELL_DEVCTRL) {
                drainDeviceControl();
            } else if (arg < PipeType.values().length + (PRIORITIES - 1) * 4 + 1 && (arg & 3) < PipeType.values().length) {
                drainPipe(PipeType.values()[arg & 3], arg >> 2);
            }
            // DOORBELL_KICKFW only wakes the loop
        }
        return true;
    }

    private void boot(long address) {
        if (initData != 0) {
            log("second MSG_INIT ignored");
            return;
        }
        initData = address;
        runtimePointers = f.idRuntimePointers.read(kernel, address);
        globals = f.idGlobals.read(kernel, address);
        fwStatus = f.idFwStatus.read(kernel, address);
        fwLog = Channel.at(f, kernel, runtimePointers + f.rpFwLog.offset(), f.fwLogMsgBytes);
        deviceControl = Channel.at(f, kernel, runtimePointers + f.rpDeviceControl.offset(), f.deviceControlMsgBytes);
        event = Channel.at(f, kernel, runtimePointers + f.rpEvent.offset(), f.eventMsgBytes);
        stats = Channel.at(f, kernel, runtimePointers + f.rpStats.offset(), f.statsMsgBytes);
        fwCtl = Channel.at(f, kernel, fwStatus + f.fsFwctl.offset(), f.fwCtlMsgBytes);
        lastSampleTicks = ctx.timestamp();
        log(name + " booted, InitData at 0x" + Long.toHexString(address));
    }

    private Channel pipe(PipeType type, int priority) {
        Channel c = pipes[type.ordinal()][priority];
        if (c == null) {
            long channels = runtimePointers + f.rpPipes.offset(priority);
            long ring = switch (type) {
                case VERTEX -> channels + f.pcVtx.offset();
                case FRAGMENT -> channels + f.pcFrag.offset();
                case COMPUTE -> channels + f.pcComp.offset();
            };
            c = Channel.at(f, kernel, ring, f.runWorkQueueMsgBytes);
            pipes[type.ordinal()][priority] = c;
        }
        return c;
    }

    private void drainPipe(PipeType type, int priority) {
        Channel channel = pipe(type, priority);
        for (long msg = channel.peek(); msg != Channel.NONE; msg = channel.peek()) {
            long info = f.rwqQueue.read(kernel, msg);
            WorkQueue q = queues.get(info);
            if (q == null || f.rwqNew.read(kernel, msg) != 0 && q.idle()) {
                q = openQueue(info, type, priority);
            }
            q.wptr = (int) f.rwqWptr.read(kernel, msg);
            int slot = (int) f.rwqSlot.read(kernel, msg);
            if (slot < 0 || slot >= EVENT_SLOTS || Integer.compareUnsigned(q.wptr, q.size) >= 0) {
                throw new FirmwareCrash("RunWorkQueueMsg with event slot " + slot + ", wptr " + q.wptr + " of " + q.size);
            }
            q.eventSlot = slot;
            f.qiBusy.write(kernel, info, 1);
            channel.consume();
        }
    }

    private WorkQueue openQueue(long info, PipeType type, int priority) {
        long state = f.qiState.read(kernel, info);
        long ring = f.qiRing.read(kernel, info);
        int size = (int) f.rsSize.read(kernel, state);
        if (size < 2 || size > 0x10000) {
            throw new FirmwareCrash("work queue 0x" + Long.toHexString(info) + " with ring size " + size);
        }
        int rptr = (int) f.rsRptr.read(kernel, state);
        WorkQueue q = new WorkQueue(info, type, priority, state, ring, size, rptr % size,
                f.qiGpuContext.read(kernel, info));
        WorkQueue old = queues.put(info, q);
        if (old != null) {
            order.remove(old);
        }
        order.add(q);
        // higher UAPI priority number = lower priority; the firmware serves priority 0 first
        order.sort(Comparator.comparingInt(w -> w.priority));
        return q;
    }

    private void drainDeviceControl() {
        for (long msg = deviceControl.peek(); msg != Channel.NONE; msg = deviceControl.peek()) {
            int type = (int) f.dcType.read(kernel, msg);
            switch (type) {
                case DEVCTRL_INITIALIZE -> {
                    initialized = true;
                    log("initialized");
                }
                case DEVCTRL_DESTROY_CONTEXT -> destroyContext(msg);
                case DEVCTRL_KILN_INJECT_CRASH -> {
                    deviceControl.consume();
                    log("injected crash");
                    throw new FirmwareCrash("injected firmware crash");
                }
                case DEVCTRL_KILN_INJECT_GPU_HANG -> {
                    log("injected GPU hang: the next unit work never ends");
                    launchers.hangNext();
                }
                case DEVCTRL_KILN_QUIESCE -> {
                    log("quiesced: no new command starts");
                    quiesced = true;
                }
                case DEVCTRL_KILN_INJECT_HANG -> {
                    log("injected hang: no longer answering");
                    hung = true;
                }
                default -> log("unknown device-control message 0x" + Integer.toHexString(type));
            }
            deviceControl.consume();
            if (hung) {
                return;
            }
        }
    }

    private void destroyContext(long msg) {
        long context = f.dcdcContext.read(kernel, msg);
        queues.values().removeIf(q -> {
            boolean forget = q.gpuContext == context && q.idle();
            if (forget) {
                order.remove(q);
            }
            return forget;
        });
        long token = f.dcdcToken.read(kernel, msg);
        if (token != 0) {
            kernel.writeInt(token, 1);
        }
    }

    private void drainFwCtl() {
        for (long msg = fwCtl.peek(); msg != Channel.NONE; msg = fwCtl.peek()) {
            int slot = (int) f.fcSlot.read(kernel, msg);
            if (slot < 0 || slot >= HANDOFF_FLUSH_SLOTS) {
                throw new FirmwareCrash("FwCtlMsg for flush slot " + slot);
            }
            long flush = f.hoFlush.offset(slot);
            if (f.flushState.get(handoff, flush) == FLUSH_REQUESTED) {
                if (slot == HANDOFF_FLUSH_SLOTS - 1) {
                    ctx.uat().invalidateAll();
                } else {
                    ctx.uat().invalidateAsid(slot);
                }
                f.flushState.set(handoff, flush, FLUSH_DONE);
            }
            fwCtl.consume();
        }
    }

    // ---- work

    private void progress() {
        boolean any = true;
        while (any && !halted) {
            any = false;
            for (WorkQueue q : order) {
                any |= step(q);
                if (halted) {
                    return;
                }
            }
        }
    }

    /** Runs queue {@code q} as far as it goes; whether anything changed. */
    private boolean step(WorkQueue q) {
        boolean changed = false;
        while (!halted) {
            if (q.current == null) {
                if (q.rptr == q.wptr) {
                    if (changed) {
                        f.qiBusy.write(kernel, q.info, 0);
                    }
                    return changed;
                }
                long command = kernel.readLong(q.ring + 8L * q.rptr);
                CommandType type = CommandType.ofTag(f.cmdTag.read(kernel, command));
                if (type == null) {
                    throw new FirmwareCrash("unknown command tag " + f.cmdTag.read(kernel, command) + " at 0x"
                            + Long.toHexString(command) + " (" + q.pipe + " queue 0x" + Long.toHexString(q.info) + ", entry "
                            + q.rptr + " of " + q.wptr + ")");
                }
                switch (type) {
                    case BARRIER -> {
                        if (!barrierSatisfied(command)) {
                            return changed;
                        }
                        advance(q);
                    }
                    case INIT_BUFFER -> {
                        initBuffer(command);
                        advance(q);
                    }
                    default -> {
                        Fields.RunFields rf = switch (type) {
                            case RUN_COMPUTE -> f.compute;
                            case RUN_VERTEX -> f.vertex;
                            default -> f.fragment;
                        };
                        q.current = new CommandRun(command, type, rf, rf.microsequence.read(kernel, command),
                                rf.microsequenceSize.read(kernel, command));
                    }
                }
                changed = true;
                continue;
            }
            long pcBefore = q.current.pc;
            boolean done = interpret(q, q.current);
            changed |= q.current == null || q.current.pc != pcBefore;
            if (!done) {
                return changed;
            }
            q.current = null;
            advance(q);
            changed = true;
        }
        return changed;
    }

    private void advance(WorkQueue q) {
        q.rptr = (q.rptr + 1) % q.size;
        f.rsRptr.write(kernel, q.ringState, q.rptr);
        f.rsDone.write(kernel, q.ringState, q.rptr);
    }

    private boolean barrierSatisfied(long barrier) {
        long stamp = f.barWaitStamp.read(kernel, barrier);
        int value = (int) f.barWaitValue.read(kernel, barrier);
        return kernel.readInt(stamp) - value >= 0;
    }

    private void initBuffer(long command) {
        long info = f.ibBuffer.read(kernel, command);
        BufferState b = buffers.computeIfAbsent(info, BufferState::new);
        b.heapBase = f.bmHeapBase.read(kernel, info);
        long blockSize = f.bmBlockSize.read(kernel, info);
        b.heapBytes = f.ibBlockCount.read(kernel, command) * blockSize;
        f.bmBlockCount.write(kernel, info, f.ibBlockCount.read(kernel, command));
    }

    private BufferState buffer(long info) {
        if (info == 0) {
            throw new FirmwareCrash("render command without a buffer");
        }
        BufferState b = buffers.get(info);
        if (b == null) {
            b = new BufferState(info);
            buffers.put(info, b);
            b.heapBase = f.bmHeapBase.read(kernel, info);
            b.heapBytes = f.bmBlockCount.read(kernel, info) * f.bmBlockSize.read(kernel, info);
        }
        return b;
    }

    /** Interprets {@code run}'s microsequence; true when it retired. */
    private boolean interpret(WorkQueue q, CommandRun run) {
        while (true) {
            if (Long.compareUnsigned(run.pc, run.start) < 0 || Long.compareUnsigned(run.pc, run.end) >= 0) {
                throw new FirmwareCrash("microsequence of 0x" + Long.toHexString(run.command) + " ran off its end");
            }
            int opcode = kernel.readInt(run.pc);
            MicroOp op = opcode >= 0 && opcode < opBytes.length ? MicroOp.ofOpcode(opcode) : null;
            if (op == null) {
                throw new FirmwareCrash("unknown microsequence op 0x" + Integer.toHexString(opcode) + " at 0x"
                        + Long.toHexString(run.pc));
            }
            switch (op) {
                case START_COMPUTE -> {
                    if (quiesced) {
                        return false;
                    }
                    run.unit = launchers.compute(run.pc);
                    markPending(run, true);
                }
                case START_VERTEX -> {
                    BufferState b = buffer(f.svBuffer.read(kernel, run.pc));
                    if (quiesced || b.sceneBinned) {
                        return false; // the heap still holds the previous scene, waiting for its fragment pass
                    }
                    b.sceneBinned = true;
                    run.buffer = b;
                    run.unit = launchers.vertex(run.pc, b);
                    markPending(run, true);
                }
                case START_FRAGMENT -> {
                    BufferState b = buffer(f.sfBuffer.read(kernel, run.pc));
                    if (quiesced && !b.sceneBinned) {
                        return false; // a render whose vertex pass ran is started work: its fragment pass may go on
                    }
                    run.buffer = b;
                    run.unit = launchers.fragment(run.pc, run.buffer);
                    markPending(run, true);
                }
                case TIMESTAMP -> {
                    long at = f.tsUpdate.read(kernel, run.pc);
                    if (at != 0) {
                        kernel.writeLong(at, ctx.timestamp());
                    }
                }
                case WAIT_FOR_IDLE -> {
                    if (run.unit != null && !unitFinished(q, run)) {
                        return false;
                    }
                }
                case FINALIZE_COMPUTE -> finalize(run, f.fcFwStamp, f.fcStampValue);
                case FINALIZE_VERTEX -> finalize(run, f.fvFwStamp, f.fvStampValue);
                case FINALIZE_FRAGMENT -> {
                    finalize(run, f.ffFwStamp, f.ffStampValue);
                    if (run.buffer != null) {
                        run.buffer.sceneBinned = false;
                        run.buffer.partialOutputPending = false;
                    }
                }
                case RETIRE_STAMP -> {
                    retire(q, run);
                    return true;
                }
            }
            run.pc += opBytes[opcode];
        }
    }

    /** Whether the unit work of {@code run} is over (reporting it if it failed); false to wait. */
    private boolean unitFinished(WorkQueue q, CommandRun run) {
        UnitWork work = run.unit;
        if (!work.outcome.isDone()) {
            long timeout = hangTimeoutNanos();
            if (timeout > 0 && System.nanoTime() - work.startedNanos >= timeout) {
                work.cancel();
                run.unit = null;
                reportTimeout(q, run);
            }
            return false;
        }
        UnitOutcome outcome = work.outcome.join();
        run.unit = null;
        run.startTicks = outcome.start();
        run.endTicks = outcome.end();
        if (run.buffer != null) {
            f.bmUsed.write(kernel, run.buffer.info, run.buffer.usedBytes);
            f.bmOverflows.write(kernel, run.buffer.info, run.buffer.overflows);
            f.bmPartials.write(kernel, run.buffer.info, run.buffer.partialRenders);
        }
        switch (outcome.kind()) {
            case DONE -> {
                return true;
            }
            case FAULT, ERROR -> reportFault(q, run, outcome);
            case CANCELLED -> reportTimeout(q, run);
        }
        return false;
    }

    private void finalize(CommandRun run, kiln.agx.api.firmware.AbiField fwStamp, kiln.agx.api.firmware.AbiField value) {
        long stamp = fwStamp.read(kernel, run.pc);
        if (stamp != 0) {
            kernel.writeInt(stamp, (int) value.read(kernel, run.pc));
        }
    }

    private void retire(WorkQueue q, CommandRun run) {
        long meta = run.command + run.fields.jobMeta.offset();
        long stamp = f.metaStamp.read(kernel, meta);
        int value = (int) f.metaStampValue.read(kernel, meta);
        int slot = (int) f.metaStampSlot.read(kernel, meta);
        if (slot < 0 || slot >= EVENT_SLOTS) {
            throw new FirmwareCrash("job meta with stamp slot " + slot);
        }
        kernel.writeInt(stamp, value);
        markPending(run, false);
        firing[slot >> 6] |= 1L << (slot & 63);
        long statsVa = run.fields.stats.read(kernel, run.command);
        if (statsVa != 0) {
            f.statsTotal.write(kernel, statsVa, f.statsTotal.read(kernel, statsVa) + 1);
            f.statsBusy.write(kernel, statsVa, f.statsBusy.read(kernel, statsVa) + Math.max(0, run.endTicks - run.startTicks));
        }
        busyTicksSinceSample += Math.max(0, run.endTicks - run.startTicks);
        completed++;
        workSinceSample = true;
    }

    /**
     * Keeps {@code Globals.pending_stamps} current, as the driver reads it to tell a timeout's
     * culprit from the other pending work: entry {@code slot} (Kiln's indexing) is active
     * ({@code info = slot << 3 | 1}) with the value the running command will write, while a
     * command completing that slot runs.
     */
    private void markPending(CommandRun run, boolean active) {
        long meta = run.command + run.fields.jobMeta.offset();
        int slot = (int) f.metaStampSlot.read(kernel, meta);
        if (slot < 0 || slot >= EVENT_SLOTS) {
            throw new FirmwareCrash("job meta with stamp slot " + slot);
        }
        long entry = globals + f.glPendingStamps.offset(slot);
        f.psInfo.write(kernel, entry, active ? (long) slot << PENDING_SLOT_SHIFT | PENDING_ACTIVE : 0);
        f.psWaitValue.write(kernel, entry, active ? f.metaStampValue.read(kernel, meta) : 0);
    }

    // ---- errors, halt and resume

    private void reportFault(WorkQueue q, CommandRun run, UnitOutcome outcome) {
        long entry = globals + f.glPendingStamps.offset((int) f.metaStampSlot.read(kernel, run.command + run.fields.jobMeta.offset()));
        int flag = outcome.kind() == UnitOutcome.Kind.FAULT ? PENDING_FAULTED : PENDING_ERROR;
        f.psInfo.write(kernel, entry, f.psInfo.read(kernel, entry) | flag);
        log("GPU fault on the " + q.pipe.name().toLowerCase() + " pipe, command 0x" + Long.toHexString(run.command) + ": "
                + outcome.detail());
        long statsVa = run.fields.stats.read(kernel, run.command);
        if (statsVa != 0) {
            f.statsFaults.write(kernel, statsVa, f.statsFaults.read(kernel, statsVa) + 1);
        }
        flushEvents();
        halt(msg -> f.evType.write(kernel, msg, EVENT_FAULT));
    }

    private void reportTimeout(WorkQueue q, CommandRun run) {
        timeouts++;
        log("timeout on the " + q.pipe.name().toLowerCase() + " pipe, command 0x" + Long.toHexString(run.command)
                + ", event slot " + q.eventSlot);
        flushEvents();
        halt(msg -> {
            f.evType.write(kernel, msg, EVENT_TIMEOUT);
            f.evtoCounter.write(kernel, msg, timeouts);
            f.evtoSlot.write(kernel, msg, q.eventSlot);
        });
    }

    /**
     * Halts and tells the driver why. The state comes before the message: {@code FwStatus.halted}
     * is set before the event is published, so a driver that reads the event (on this doorbell or
     * an earlier one it is still draining) always finds the firmware halted and can resume it.
     */
    private void halt(MessageWriter why) {
        halted = true;
        f.fsHaltCount.write(kernel, fwStatus, f.fsHaltCount.read(kernel, fwStatus) + 1);
        f.fsHalted.write(kernel, fwStatus, 1);
        java.lang.invoke.VarHandle.releaseFence();
        writeEvent(why);
        ctx.send(AscMessages.EP_FIRMWARE, AscMessages.MSG_RX_DOORBELL);
    }

    private boolean resumed() {
        if (f.fsResume.read(kernel, fwStatus) == 0) {
            return false;
        }
        f.fsResume.write(kernel, fwStatus, 0);
        f.fsHalted.write(kernel, fwStatus, 0);
        halted = false;
        log("resumed");
        return true;
    }

    // ---- output channels

    private interface MessageWriter {
        void write(long message);
    }

    /** Writes an event message, waiting for room: the driver drains the ring on every doorbell. */
    private void writeEvent(MessageWriter writer) {
        long slot = event.reserve();
        while (slot == Channel.NONE) {
            ctx.send(AscMessages.EP_FIRMWARE, AscMessages.MSG_RX_DOORBELL);
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FirmwareCrash("stopped while the event ring was full");
            }
            slot = event.reserve();
        }
        writer.write(slot);
        event.publish();
    }

    private void flushEvents() {
        if ((firing[0] | firing[1]) == 0) {
            return;
        }
        long slot = event.reserve();
        if (slot == Channel.NONE) {
            ctx.send(AscMessages.EP_FIRMWARE, AscMessages.MSG_RX_DOORBELL);
            return; // retried on the next turn of the loop
        }
        f.evType.write(kernel, slot, EVENT_FLAG);
        for (int i = 0; i < 4; i++) {
            f.evFiring.write(kernel, slot, i, firing[i >> 1] >>> (32 * (i & 1)) & 0xffff_ffffL);
        }
        firing[0] = 0;
        firing[1] = 0;
        event.publish();
        ctx.send(AscMessages.EP_FIRMWARE, AscMessages.MSG_RX_DOORBELL);
    }

    /** One statistics sample each time the GPU goes idle after work. */
    private void sampleStats() {
        if (!workSinceSample || order.stream().anyMatch(q -> !q.idle())) {
            return;
        }
        long slot = stats.reserve();
        if (slot == Channel.NONE) {
            return; // the driver is behind: samples are lossy
        }
        long now = ctx.timestamp();
        long elapsed = Math.max(1, now - lastSampleTicks);
        f.stType.write(kernel, slot, STATS_SAMPLE);
        f.stBusy.write(kernel, slot, Math.min(1000, busyTicksSinceSample * 1000 / elapsed));
        f.stCompleted.write(kernel, slot, completed);
        stats.publish();
        lastSampleTicks = now;
        busyTicksSinceSample = 0;
        workSinceSample = false;
    }

    /** A line on the firmware log channel (lossy when full) and in the host log. */
    private void log(String line) {
        LOG.log(System.Logger.Level.DEBUG, "{0}: {1}", name, line);
        if (fwLog == null) {
            return;
        }
        long slot = fwLog.reserve();
        if (slot == Channel.NONE) {
            return;
        }
        f.logType.write(kernel, slot, FW_LOG_LINE);
        f.logSeq.write(kernel, slot, logSeq++);
        f.logTime.write(kernel, slot, ctx.timestamp());
        byte[] text = line.getBytes(StandardCharsets.UTF_8);
        int n = (int) Math.min(text.length, f.logText.count() - 1);
        MemorySegment buffer = MemorySegment.ofArray(new byte[n + 1]);
        MemorySegment.copy(text, 0, buffer, ValueLayout.JAVA_BYTE, 0, n);
        kernel.write(slot + f.logText.offset(), buffer);
        fwLog.publish();
        ctx.send(AscMessages.EP_FIRMWARE, AscMessages.MSG_RX_DOORBELL);
    }
}
