package kiln.agx.driver.internal.gpu;

import static kiln.agx.api.firmware.AbiType.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kiln.agx.api.firmware.AbiField;
import kiln.agx.api.firmware.Firmware;
import kiln.agx.api.firmware.FirmwareAbi;
import kiln.agx.api.firmware.FirmwareProtocol;
import kiln.agx.api.hw.AgxRegisters;
import kiln.agx.api.hw.AscMessages;
import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.hw.UatFormat;
import kiln.agx.api.silicon.MailboxMessage;
import kiln.agx.api.silicon.MmioRegion;
import kiln.agx.api.silicon.ReservedRegion;
import kiln.agx.api.silicon.Silicon;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.memory.PhysicalMemory;

/**
 * One probed GPU: the silicon, the kernel's UAT context, InitData and the channels in the bound
 * firmware's ABI, and the firmware running on the ASC ({@code GpuManager} of the real driver).
 *
 * <h2>Probe</h2>
 * {@link #probe} follows the real order: load the firmware and start the coprocessor
 * ({@code CPU_RUN}); UAT handoff ({@code magic_ap}, then at most 1 s for the firmware's
 * {@code magic_fw}, else EIO "Handoff: Failed to initialize (firmware not running?)"; flush
 * slots zeroed; TTBAT slot 0 = kernel-lower and kernel roots); read and check the ID registers
 * (EIO "GPU type mismatch"); build InitData; queue {@code DeviceControlMsg::Initialize}, send
 * {@code MSG_INIT}, ring the device-control doorbell and kick the firmware. Any failure powers
 * the silicon off again and frees everything.
 *
 * <h2>Messages</h2>
 * The firmware's messages arrive on the silicon's mailbox thread: {@code MSG_RX_DOORBELL} makes
 * the driver drain the log, statistics and event rings (in that order, as the real driver
 * polls them); a message on the crash-log endpoint marks the GPU crashed.
 */
public final class AgxGpu implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgxGpu.class);
    private static final int LOG_LINES_KEPT = 256;
    private static final Duration HANDOFF_TIMEOUT = Duration.ofMillis(1000);
    /** Real: the driver's wait for DestroyContext. */
    static final int DESTROY_CONTEXT_TIMEOUT_MS = 1000;

    /** How long {@code recover()} waits for the firmware's {@code halted} (Kiln's value for the real HALT_ENTER_TIMEOUT). */
    private static final long HALT_ENTER_TIMEOUT_NANOS = Duration.ofMillis(100).toNanos();
    private final HwConfig hw;
    private volatile Firmware firmware;
    private volatile FirmwareAbi abi;
    private final Silicon silicon;
    private final PhysicalMemory memory;
    private final UatPageTable kernelLower;
    private final UatPageTable kernelTable;
    private final KernelVm kernel;
    private final IdRegisters ids;
    private volatile InitDataBuilder.Built init;
    private final long ttbat;
    private final int hangTimeoutMs;
    private final Events events;
    private final UatSlots slots;
    private final Deque<String> firmwareLog = new ArrayDeque<>();
    /** What a firmware doorbell makes the driver read, in the real order. */
    private final List<Runnable> drains = List.of(this::drainLog, this::drainStats, this::drainEvents);
    private AbiField logText;
    private AbiField destroyType, destroyCtx23, destroyCtx0, destroyCtx1, destroyContext, destroyToken;
    private AbiField rwqPipe, rwqQueue, rwqWptr, rwqSlot, rwqNew;
    /**
     * Held shared by everything that builds firmware structures or hands work to the firmware
     * (submission, queue creation, context destruction); held exclusively by a firmware swap,
     * which changes the ABI under them.
     */
    private final ReentrantReadWriteLock swapLock = new ReentrantReadWriteLock();
    /** Owners of firmware structures that a swap must rebuild in the new ABI. */
    private final Set<FirmwareClient> clients = ConcurrentHashMap.newKeySet();
    private final List<FirmwareSwap> history = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean crashed;
    /** No firmware runs (its bundle went and none can replace it): work waits for {@link #swapFirmware}. */
    private volatile boolean parked;
    private final Object attachSignal = new Object();
    private volatile long noFirmwareDeadlineNanos = Duration.ofSeconds(30).toNanos();
    private volatile Runnable onCrash = () -> { };
    private volatile java.util.function.Consumer<FirmwareSwap> swapListener = s -> { };
    /** Commands the last crash failed (reported with the recovery). */
    private final java.util.concurrent.atomic.AtomicInteger failedByCrash = new java.util.concurrent.atomic.AtomicInteger();
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile boolean closed;
    /** What a parked GPU's firmware had not started, until a firmware comes or the deadline. */
    private HaltedWork held;
    /** Kiln's firmware watchdog thread, woken to end when the GPU closes. */
    private volatile Thread watchdog;

    private AgxGpu(HwConfig hw, Firmware firmware, FirmwareAbi abi, Silicon silicon, PhysicalMemory memory, UatPageTable kernelLower,
            UatPageTable kernelTable, KernelVm kernel, IdRegisters ids, InitDataBuilder.Built init, long ttbat,
            int hangTimeoutMs) {
        this.hw = hw;
        this.firmware = firmware;
        this.abi = abi;
        this.silicon = silicon;
        this.memory = memory;
        this.kernelLower = kernelLower;
        this.kernelTable = kernelTable;
        this.kernel = kernel;
        this.ids = ids;
        this.init = init;
        this.ttbat = ttbat;
        this.hangTimeoutMs = hangTimeoutMs;
        bindFields(abi);
        try {
            this.events = new Events(kernel, abi);
        } catch (DrmException e) {
            throw new IllegalStateException(e);
        }
        this.slots = new UatSlots(silicon, memory);
    }

    /** Resolves the fields the driver writes on hot paths in {@code abi}. */
    private void bindFields(FirmwareAbi abi) {
        this.logText = abi.field(FW_LOG_MSG, "msg");
        this.destroyType = abi.field(DEVICE_CONTROL_DESTROY_CONTEXT, "msg_type");
        this.destroyCtx23 = abi.field(DEVICE_CONTROL_DESTROY_CONTEXT, "ctx_23");
        this.destroyCtx0 = abi.field(DEVICE_CONTROL_DESTROY_CONTEXT, "ctx_0");
        this.destroyCtx1 = abi.field(DEVICE_CONTROL_DESTROY_CONTEXT, "ctx_1");
        this.destroyContext = abi.field(DEVICE_CONTROL_DESTROY_CONTEXT, "gpu_context");
        this.destroyToken = abi.field(DEVICE_CONTROL_DESTROY_CONTEXT, "token");
        this.rwqPipe = abi.field(RUN_WORK_QUEUE_MSG, "pipe_type");
        this.rwqQueue = abi.field(RUN_WORK_QUEUE_MSG, "work_queue");
        this.rwqWptr = abi.field(RUN_WORK_QUEUE_MSG, "wptr");
        this.rwqSlot = abi.field(RUN_WORK_QUEUE_MSG, "event_slot");
        this.rwqNew = abi.field(RUN_WORK_QUEUE_MSG, "is_new");
    }

    /**
     * Probes a GPU: powers on {@code silicon} (already powered by the caller) and boots
     * {@code firmware} on it.
     *
     * @throws DrmException ENODEV for an unsupported (generation, firmware); EIO if the handoff
     *                      or the ID check fails; ENOMEM if memory runs out. The silicon is closed
     *                      on failure.
     */
    public static AgxGpu probe(HwConfig hw, Silicon silicon, Firmware firmware, PhysicalMemory memory, int hangTimeoutMs)
            throws DrmException {
        UatPageTable lower = null;
        KernelVm kernel = null;
        try {
            FirmwareAbi abi = firmware.abi(hw.generation());
            silicon.asc().load(firmware.program(hw.generation()));
            silicon.mmio().write32(MmioRegion.ASC, AgxRegisters.CPU_CONTROL, AgxRegisters.CPU_RUN);

            lower = new UatPageTable(memory, hw.uatOutputAddressBits());
            UatPageTable kernelTable = new UatPageTable(memory, hw.uatOutputAddressBits(),
                    silicon.reservedRegion(ReservedRegion.PAGETABLES).physicalAddress());
            handoff(silicon, memory, abi);
            long ttbat = silicon.reservedRegion(ReservedRegion.TTBS).physicalAddress();
            MemorySegment ttbs = memory.frame(ttbat);
            ttbs.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, UatFormat.ttb(lower.root(), 0));
            ttbs.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, UatFormat.ttb(kernelTable.root(), 0));
            silicon.uat().invalidateAsid(0);

            IdRegisters ids = IdRegisters.read(silicon.mmio(), hw);
            kernel = new KernelVm(memory, kernelTable);
            InitDataBuilder.Built init = new InitDataBuilder(kernel, abi, hw, ttbat).build(hangTimeoutMs);
            AgxGpu gpu = new AgxGpu(hw, firmware, abi, silicon, memory, lower, kernelTable, kernel, ids, init, ttbat,
                    hangTimeoutMs);
            gpu.boot();
            gpu.watchdog = Thread.ofVirtual().name("agx-" + Integer.toHexString(hw.chipId()) + "-fw-watchdog")
                    .start(gpu::watchdog);
            return gpu;
        } catch (DrmException | RuntimeException e) {
            silicon.close();
            if (kernel != null) {
                kernel.close();
            }
            if (lower != null) {
                lower.close();
            }
            throw e;
        }
    }

    private static void handoff(Silicon silicon, PhysicalMemory memory, FirmwareAbi abi) throws DrmException {
        MemorySegment handoff = handoffRegion(silicon, memory);
        abi.field(HANDOFF, "magic_ap").set(handoff, 0, FirmwareProtocol.PPL_MAGIC);
        AbiField magicFw = abi.field(HANDOFF, "magic_fw");
        long deadline = System.nanoTime() + HANDOFF_TIMEOUT.toNanos();
        while (magicFw.get(handoff, 0) != FirmwareProtocol.PPL_MAGIC) {
            if (System.nanoTime() > deadline) {
                throw new DrmException(Errno.EIO, "Handoff: Failed to initialize (firmware not running?)");
            }
            // fine-grained: a firmware swap's downtime includes this wait
            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new DrmException(Errno.EINTR, "interrupted during the handoff");
            }
        }
        AbiField flush = abi.field(HANDOFF, "flush");
        for (int i = 0; i < flush.count(); i++) {
            handoff.asSlice(flush.offset(i), flush.elementBytes()).fill((byte) 0);
        }
    }

    private static MemorySegment handoffRegion(Silicon silicon, PhysicalMemory memory) {
        return memory.frame(silicon.reservedRegion(ReservedRegion.HANDOFF).physicalAddress());
    }

    private void boot() throws DrmException {
        silicon.asc().setReceiver(this::received);
        deviceControl(FirmwareProtocol.DEVCTRL_INITIALIZE);
        send(AscMessages.EP_FIRMWARE, AscMessages.init(init.initData().va()));
        send(AscMessages.EP_DOORBELL, AscMessages.doorbell(AscMessages.DOORBELL_DEVCTRL));
        send(AscMessages.EP_DOORBELL, AscMessages.doorbell(AscMessages.DOORBELL_KICKFW));
    }

    /** Queues a payload-less device-control message (the caller rings the doorbell). */
    private synchronized void deviceControl(int type) throws DrmException {
        MemorySegment msg = init.rings().deviceControl().produce();
        if (msg == null) {
            throw new DrmException(Errno.EBUSY, "device-control ring full");
        }
        abi.field(DEVICE_CONTROL_MSG, "msg_type").set(msg, 0, type);
        init.rings().deviceControl().commit();
    }

    /**
     * {@code DeviceControlMsg::DestroyContext}: the firmware forgets {@code context}'s idle work
     * queues; {@code then} runs once it has (it frees what the firmware may have been reading), on
     * a thread of its own, or at once when the firmware is gone. As the real driver, a firmware
     * that does not answer within {@value #DESTROY_CONTEXT_TIMEOUT_MS} ms is logged and the
     * context released anyway.
     */
    public void destroyContext(FwObject context, Runnable then) {
        if (crashed || closed) {
            then.run();
            return;
        }
        // Its own thread: callers are completion paths, and a swap may hold the firmware back.
        Thread.ofVirtual().name("agx-destroy-context").start(() -> {
            Lock section = firmwareSection();
            KernelVm.Alloc token = null;
            try {
                if (crashed || closed || parked) {
                    return; // no firmware knows the context any more
                }
                token = kernel.allocate(8);
                synchronized (this) {
                    MemorySegment msg = init.rings().deviceControl().produce();
                    if (msg == null) {
                        throw new DrmException(Errno.EBUSY, "device-control ring full");
                    }
                    msg.fill((byte) 0);
                    destroyType.set(msg, 0, FirmwareProtocol.DEVCTRL_DESTROY_CONTEXT);
                    destroyCtx23.set(msg, 0, context.get("unk_23"));
                    destroyCtx0.set(msg, 0, context.get("unk_0"));
                    destroyCtx1.set(msg, 0, context.get("unk_1"));
                    // ctx_4 stays 0: byte 4 of the context data, which Kiln never sets
                    destroyContext.set(msg, 0, context.va());
                    destroyToken.set(msg, 0, token.va());
                    init.rings().deviceControl().commit();
                }
                send(AscMessages.EP_DOORBELL, AscMessages.doorbell(AscMessages.DOORBELL_DEVCTRL));
                long deadline = System.nanoTime() + Duration.ofMillis(DESTROY_CONTEXT_TIMEOUT_MS).toNanos();
                while (!crashed && !closed && token.cpu().get(ValueLayout.JAVA_INT_UNALIGNED, 0) == 0) {
                    if (System.nanoTime() - deadline > 0) {
                        LOG.warn("DestroyContext for 0x{} timed out", Long.toHexString(context.va()));
                        break;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                }
            } catch (DrmException | RuntimeException e) {
                LOG.warn("Failed to destroy context 0x{}: {}", Long.toHexString(context.va()), e.getMessage());
            } finally {
                if (token != null) {
                    kernel.free(token);
                }
                section.unlock();
                then.run();
            }
        });
    }

    void send(int endpoint, long payload) throws DrmException {
        try {
            if (!silicon.asc().send(new MailboxMessage(endpoint, payload), Duration.ofSeconds(1))) {
                throw new DrmException(Errno.EBUSY, "mailbox full");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrmException(Errno.EINTR, "interrupted sending to the firmware");
        }
    }

    private void received(MailboxMessage m) {
        lastHeardNanos = System.nanoTime();
        if (m.endpoint() == kiln.agx.api.hw.AscMessages.EP_CRASHLOG) {
            LOG.error("GPU firmware crashed, failing all jobs");
            firmwareLost();
            return;
        }
        if (m.endpoint() != AscMessages.EP_FIRMWARE || AscMessages.type(m.payload()) != AscMessages.MSG_RX_DOORBELL) {
            LOG.warn("Unknown message {}", m);
            return;
        }
        // each drain isolated: a driver bug in one must not leave the others' rings unread
        for (Runnable drain : drains) {
            try {
                drain.run();
            } catch (RuntimeException e) {
                LOG.error("BUG: draining a firmware channel threw", e);
            }
        }
    }

    /** The firmware is gone (crashed, or hung): fail what it had, as the real driver does on a crash. */
    private synchronized void firmwareLost() {
        if (crashed) {
            return;
        }
        crashed = true;
        Set<Object> failed = newIdentitySet();
        for (WorkQueue q : events.queues()) {
            q.failAll(WorkError.of(WorkError.Kind.NO_DEVICE), failed);
        }
        failedByCrash.addAndGet(failed.size());
        LOG.error("GPU firmware lost: {} commands in flight failed", failed.size());
        onCrash.run();
    }

    /**
     * Kiln's firmware watchdog (the real driver has none short of drm_sched's 100 s): the
     * firmware's own watchdog reports any command running longer than {@code hang_timeout_ms},
     * so work in flight with no word from the firmware for twice that (at least a second) means
     * the firmware itself hangs. It is then handled as a crash, and recovered the same way.
     */
    private void watchdog() {
        long limit = Math.max(Duration.ofSeconds(1).toNanos(), 2L * Duration.ofMillis(Math.max(hangTimeoutMs, 1)).toNanos());
        long period = Math.max(Duration.ofMillis(50).toNanos(), limit / 8);
        while (!closed) {
            java.util.concurrent.locks.LockSupport.parkNanos(period);
            if (crashed || parked || closed || swapLock.isWriteLocked()) {
                lastHeardNanos = System.nanoTime();
                continue;
            }
            boolean busy = events.queues().stream().anyMatch(q -> q.inFlight() > 0);
            if (!busy) {
                lastHeardNanos = System.nanoTime();
            } else if (System.nanoTime() - lastHeardNanos > limit) {
                LOG.error("no word from firmware {} in {} ms with work in flight: it hangs; failing its work",
                        firmware.version(), TimeUnit.NANOSECONDS.toMillis(limit));
                silicon.mmio().write32(MmioRegion.ASC, AgxRegisters.CPU_CONTROL, 0);
                firmwareLost();
            }
        }
    }

    private void drainLog() {
        Ring ring = init.rings().fwLog();
        for (MemorySegment msg = ring.poll(); msg != null; msg = ring.poll()) {
            byte[] text = msg.asSlice(logText.offset(), logText.byteSize()).toArray(ValueLayout.JAVA_BYTE);
            int n = 0;
            while (n < text.length && text[n] != 0) {
                n++;
            }
            String line = new String(text, 0, n, StandardCharsets.UTF_8);
            LOG.debug("firmware: {}", line);
            synchronized (firmwareLog) {
                if (firmwareLog.size() == LOG_LINES_KEPT) {
                    firmwareLog.removeFirst();
                }
                firmwareLog.addLast(line);
            }
            ring.consume();
        }
    }

    private void drainStats() {
        Ring ring = init.rings().stats();
        for (MemorySegment msg = ring.poll(); msg != null; msg = ring.poll()) {
            ring.consume();
        }
    }

    private void drainEvents() {
        Ring ring = init.rings().event();
        AbiField type = abi.field(EVENT_MSG, "msg_type");
        AbiField firing = abi.field(EVENT_MSG, "firing");
        for (MemorySegment msg = ring.poll(); msg != null; msg = ring.poll()) {
            try {
                switch ((int) type.get(msg, 0)) {
                    case FirmwareProtocol.EVENT_FLAG -> {
                        long[] bits = new long[4];
                        for (int i = 0; i < 4; i++) {
                            bits[i] = firing.get(msg, 0, i);
                        }
                        events.signal(bits);
                    }
                    case FirmwareProtocol.EVENT_FAULT -> faulted();
                    case FirmwareProtocol.EVENT_TIMEOUT -> timedOut((int) abi.field(EVENT_MSG_TIMEOUT, "event_slot").get(msg, 0));
                    default -> LOG.warn("unknown event message type {}", type.get(msg, 0));
                }
            } catch (RuntimeException e) {
                // a driver bug: logged loudly, the message consumed, the next ones handled
                LOG.error("BUG: handling a firmware event threw", e);
            } finally {
                ring.consume();
            }
        }
    }

    /** Reads and clears {@code FAULT_INFO}: the latched fault, or null. */
    private kiln.agx.api.hw.FaultInfo takeFault() {
        kiln.agx.api.hw.FaultInfo info = peekFault();
        silicon.mmio().write64(MmioRegion.SGX, AgxRegisters.FAULT_INFO, 0);
        return info;
    }

    /** {@code FAULT_INFO} as latched now (null if none), left in place. */
    private kiln.agx.api.hw.FaultInfo peekFault() {
        return kiln.agx.api.hw.FaultInfo.decode(silicon.mmio().read64(MmioRegion.SGX, AgxRegisters.FAULT_INFO));
    }

    /** A command running now, from {@code Globals.pending_stamps}: its work queue and the entry's flags. */
    private record Running(WorkQueue queue, int flags) {
        boolean faulted() {
            return (flags & FirmwareProtocol.PENDING_FAULTED) != 0;
        }

        boolean culprit() {
            return (flags & (FirmwareProtocol.PENDING_FAULTED | FirmwareProtocol.PENDING_ERROR)) != 0;
        }
    }

    /** The commands running now. */
    private List<Running> running() {
        AbiField pending = abi.field(GLOBALS, "pending_stamps");
        AbiField info = abi.field(PENDING_STAMP, "info");
        MemorySegment globals = init.globals().alloc().cpu();
        List<Running> out = new java.util.ArrayList<>();
        for (int i = 0; i < FirmwareProtocol.EVENT_SLOTS && i < pending.count(); i++) {
            long v = info.get(globals, pending.offset(i));
            if ((v & FirmwareProtocol.PENDING_ACTIVE) != 0) {
                WorkQueue q = events.owner((int) (v >>> FirmwareProtocol.PENDING_SLOT_SHIFT));
                if (q != null) {
                    out.add(new Running(q, (int) (v & 7)));
                }
            }
        }
        return out;
    }

    /** The work queues with a command running now. */
    private Set<WorkQueue> runningQueues() {
        Set<WorkQueue> out = new java.util.HashSet<>();
        running().forEach(r -> out.add(r.queue()));
        return out;
    }

    /**
     * {@code EventMsg::Fault}. The real driver gives every pending command the error; Kiln's
     * firmware marks the commands that failed ({@link FirmwareProtocol#PENDING_FAULTED},
     * {@link FirmwareProtocol#PENDING_ERROR}), so exactly those fail and the others go on. A
     * faulted command in the VM {@code FAULT_INFO} names gets the fault with its details (and the
     * latch is consumed); one whose fault the latch missed (it holds nothing, or another VM's
     * fault, left for that VM's own report) gets a fault without details; a command whose unit
     * failed otherwise (an illegal program) gets Unknown. Without marked commands, the earlier
     * rule applies: the running command in the faulting VM gets the fault, or with no fault
     * latched every running command gets Unknown.
     */
    private void faulted() {
        kiln.agx.api.hw.FaultInfo info = peekFault();
        LOG.warn("GPU fault nya~!!!!! {}", info);
        List<Running> running = running();
        List<Running> culprits = running.stream().filter(Running::culprit).toList();
        boolean consumed = false;
        for (Running r : culprits.isEmpty() ? running : culprits) {
            boolean itsFault = info != null && r.queue().vmSlot() == info.vmSlot();
            if (itsFault && (culprits.isEmpty() || r.faulted())) {
                r.queue().markError(new WorkError(WorkError.Kind.FAULT, info));
                consumed = true;
            } else if (r.faulted()) {
                r.queue().markError(new WorkError(WorkError.Kind.FAULT, null));
            } else if (info == null || !culprits.isEmpty()) {
                r.queue().markError(WorkError.of(WorkError.Kind.UNKNOWN));
            }
        }
        if (consumed || culprits.isEmpty()) {
            takeFault();
        }
        recover();
    }

    /** {@code EventMsg::Timeout}: the culprit's command gets the MMU fault if one is latched, else Timeout. */
    private void timedOut(int slot) {
        kiln.agx.api.hw.FaultInfo info = takeFault();
        LOG.warn("** GPU timeout nya~!!!!! ** (event slot {})", slot);
        WorkQueue culprit = events.owner(slot);
        if (culprit != null) {
            culprit.markError(info != null ? new WorkError(WorkError.Kind.FAULT, info) : WorkError.of(WorkError.Kind.TIMEOUT));
        }
        recover();
    }

    /**
     * Lets a halted firmware go on ({@code recover()}: resume; the firmware clears {@code halted}).
     * The event that brought us here may be read before the firmware's {@code halted} is visible
     * (a drain for an earlier doorbell): as the real driver waits up to
     * {@code HALT_ENTER_TIMEOUT} for it, Kiln waits up to {@link #HALT_ENTER_TIMEOUT_NANOS}
     * (Kiln's value) before it gives up with "Cannot recover.".
     */
    private void recover() {
        MemorySegment status = init.fwStatus().alloc().cpu();
        AbiField halted = abi.field(FW_STATUS, "halted");
        long deadline = System.nanoTime() + HALT_ENTER_TIMEOUT_NANOS;
        while (halted.get(status, 0) == 0 && System.nanoTime() - deadline < 0) {
            java.lang.invoke.VarHandle.acquireFence();
            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
        }
        if (halted.get(status, 0) != 0) {
            LOG.info("Attempting recovery...");
            abi.field(FW_STATUS, "resume").set(status, 0, 1);
            try {
                send(AscMessages.EP_DOORBELL, AscMessages.doorbell(AscMessages.DOORBELL_KICKFW));
            } catch (DrmException e) {
                LOG.warn("could not kick the firmware after recovery: {}", e.getMessage());
            }
        } else {
            LOG.warn("Cannot recover.");
        }
    }

    /** Queues a {@code RunWorkQueueMsg} (the caller rings the pipe's doorbell). */
    void runWorkQueue(kiln.agx.api.firmware.PipeType pipe, int priority, long queueInfo, int wptr, int slot, boolean isNew)
            throws DrmException {
        Ring ring = init.rings().pipe(pipe, priority);
        synchronized (ring) {
            MemorySegment msg = ring.produce();
            if (msg == null) {
                throw DrmException.quiet(Errno.EBUSY, "pipe channel full");
            }
            rwqPipe.set(msg, 0, pipe.ordinal());
            rwqQueue.set(msg, 0, queueInfo);
            rwqWptr.set(msg, 0, wptr);
            rwqSlot.set(msg, 0, slot);
            rwqNew.set(msg, 0, isNew ? 1 : 0);
            ring.commit();
        }
    }

    /** The event stamps. */
    public Events events() {
        return events;
    }

    /** The UAT slots user VMs run in. */
    public UatSlots slots() {
        return slots;
    }

    /** A new firmware work queue of {@code pipe} at {@code priority} for a VM bound to {@code vmSlot}. */
    public WorkQueue newWorkQueue(kiln.agx.api.firmware.PipeType pipe, int priority, int vmSlot, FwObject gpuContext)
            throws DrmException {
        return new WorkQueue(this, pipe, priority, vmSlot, gpuContext);
    }

    /** The latest firmware log lines, oldest first. */
    public List<String> firmwareLog() {
        synchronized (firmwareLog) {
            return List.copyOf(firmwareLog);
        }
    }

    public HwConfig hwConfig() {
        return hw;
    }

    public Firmware firmware() {
        return firmware;
    }

    public FirmwareAbi abi() {
        return abi;
    }

    public Silicon silicon() {
        return silicon;
    }

    /** The machine's physical memory (page tables and objects come from it). */
    public PhysicalMemory memory() {
        return memory;
    }

    public IdRegisters ids() {
        return ids;
    }

    public KernelVm kernel() {
        return kernel;
    }

    public InitDataBuilder.Built initData() {
        return init;
    }

    /** Commands a caller failed because the firmware was gone when they were queued: the crash's casualties too. */
    public void countFailedByCrash(int commands) {
        if (crashed) {
            failedByCrash.addAndGet(commands);
        }
    }

    /** Runs {@code listener} (on the interrupt thread; it must not block) after the firmware crashed. */
    public void onCrash(Runnable listener) {
        onCrash = listener;
    }

    /** Kiln's fault injection: the firmware crashes (as a firmware bug would) on its next device-control turn. */
    public void injectFirmwareCrash() throws DrmException {
        deviceControl(FirmwareProtocol.DEVCTRL_KILN_INJECT_CRASH);
        send(AscMessages.EP_DOORBELL, AscMessages.doorbell(AscMessages.DOORBELL_DEVCTRL));
    }

    /** Kiln's fault injection: the firmware stops answering (the watchdog then finds it hung). */
    public void injectFirmwareHang() throws DrmException {
        deviceControl(FirmwareProtocol.DEVCTRL_KILN_INJECT_HANG);
        send(AscMessages.EP_DOORBELL, AscMessages.doorbell(AscMessages.DOORBELL_DEVCTRL));
    }

    /** Kiln's fault injection: the GPU hangs on the next unit work a command starts (the firmware's watchdog reports it). */
    public void injectGpuHang() throws DrmException {
        deviceControl(FirmwareProtocol.DEVCTRL_KILN_INJECT_GPU_HANG);
        send(AscMessages.EP_DOORBELL, AscMessages.doorbell(AscMessages.DOORBELL_DEVCTRL));
    }

    /** Kiln's fault injection: the next access a GPU unit makes in a user VM faults (the job gets EIO with the fault). */
    public void injectMmuFault() {
        silicon.uat().injectUserFault();
    }

    /**
     * Kiln's fault injection: the machine's physical memory runs out for {@code duration} (this
     * takes every free page and gives them back after). Whatever needs pages meanwhile gets the
     * real answer, ENOMEM (GEM objects, page tables, kernel memory); TVBs stop growing and render
     * on with partial renders.
     *
     * @return the bytes taken
     */
    public long injectMemoryExhaustion(Duration duration) {
        List<kiln.drm.api.memory.PhysicalPages> taken = new java.util.ArrayList<>();
        long bytes = 0;
        for (long chunk = 64L << 20; chunk >= PhysicalMemory.PAGE_SIZE; ) {
            try {
                taken.add(memory.allocate(chunk));
                bytes += chunk;
            } catch (DrmException e) {
                chunk /= 2;
            }
        }
        long held = bytes;
        LOG.warn("injected memory exhaustion: holding {} MiB for {} ms", held >> 20, duration.toMillis());
        Thread.ofVirtual().name("agx-memory-exhaustion").start(() -> {
            java.util.concurrent.locks.LockSupport.parkNanos(duration.toNanos());
            taken.forEach(kiln.drm.api.memory.PhysicalPages::close);
            LOG.info("memory exhaustion over: {} MiB back", held >> 20);
        });
        return held;
    }

    /** A set of user commands, told apart by identity. */
    static Set<Object> newIdentitySet() {
        return java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    }

    /** Whether the firmware crashed (every operation then answers ENODEV). */
    public boolean crashed() {
        return crashed;
    }

    /**
     * Enters a section that builds firmware structures or hands work to the firmware; the caller
     * unlocks the returned lock when done. Sections run concurrently with each other, never with a
     * {@link #swapFirmware swap}.
     */
    public Lock firmwareSection() {
        Lock shared = swapLock.readLock();
        shared.lock();
        return shared;
    }

    /**
     * Enters a firmware section once firmware runs: while {@link #parkFirmware parked}, or crashed
     * and not yet restarted, the caller waits for {@link #swapFirmware} to attach one, until
     * {@code deadlineNanos}. (Work the scheduler still holds when the firmware crashes thus waits
     * for the recovery instead of failing with the work the crash hit.)
     *
     * @throws DrmException ENODEV at the deadline with still no firmware, or once the GPU is gone
     */
    public Lock firmwareSection(long deadlineNanos) throws DrmException {
        while (true) {
            Lock shared = firmwareSection();
            if (!parked && !crashed) {
                return shared;
            }
            shared.unlock();
            synchronized (attachSignal) {
                while ((parked || crashed) && !closed) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        throw DrmException.quiet(Errno.ENODEV, "no firmware came in time");
                    }
                    try {
                        attachSignal.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw DrmException.quiet(Errno.EINTR, "interrupted waiting for firmware");
                    }
                }
            }
            if (closed) {
                throw DrmException.quiet(Errno.ENODEV, "the GPU is gone");
            }
        }
    }

    /** How long a job may wait for firmware while none runs before it fails with ENODEV. */
    public void noFirmwareDeadline(Duration deadline) {
        noFirmwareDeadlineNanos = deadline.toNanos();
    }

    public long noFirmwareDeadlineNanos() {
        return noFirmwareDeadlineNanos;
    }

    /** Whether no firmware runs (work waits for one). */
    public boolean parked() {
        return parked;
    }

    /**
     * The firmware goes and none replaces it yet: as a swap's first half, it is quiesced, the
     * commands it started finish (up to {@code drainBound}; those that do not are killed) and it
     * stops. What it had not started is held, with the work that keeps arriving (see
     * {@link #firmwareSection(long)}), until {@link #swapFirmware} attaches a firmware and replays
     * it — or, once its job has waited the {@link #noFirmwareDeadline} since its submission, fails
     * with ENODEV, oldest first.
     */
    public void parkFirmware(Duration drainBound) throws DrmException {
        HaltedWork halted;
        swapLock.writeLock().lock();
        try {
            if (parked || closed) {
                return;
            }
            halted = halt(drainBound, "park");
            held = halted;
            parked = true;
            record(new FirmwareSwap("no compatible firmware left", firmware.version().toString(), "-",
                    java.time.Instant.now(), Duration.ZERO, clients.size(), halted.replayed(), halted.killed(), "parked"));
            LOG.info("firmware {} stopped; no firmware until one arrives ({} commands held)", firmware.version(),
                    halted.replayed());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DrmException(Errno.EINTR, "interrupted stopping the firmware");
        } finally {
            swapLock.writeLock().unlock();
        }
        if (halted.replayed() > 0) {
            Thread.ofVirtual().name("agx-" + Integer.toHexString(hw.chipId()) + "-held-work").start(() -> expireHeld(halted));
        }
    }

    /** Fails held commands as their deadlines pass, until a firmware takes them or none is left. */
    private void expireHeld(HaltedWork halted) {
        long next = System.nanoTime();
        while (next != Long.MAX_VALUE) {
            java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
            swapLock.writeLock().lock();
            try {
                if (held != halted) {
                    return; // a firmware came and replayed them
                }
                next = closed ? Long.MAX_VALUE : halted.failExpired(System.nanoTime(), noFirmwareDeadlineNanos, false,
                        WorkError.of(WorkError.Kind.NO_DEVICE));
                if (next == Long.MAX_VALUE) {
                    held = null;
                }
            } finally {
                swapLock.writeLock().unlock();
            }
        }
    }

    /** {@code client}'s structures are rebuilt by every swap until {@link #unregister}. */
    public void register(FirmwareClient client) {
        clients.add(client);
    }

    public void unregister(FirmwareClient client) {
        clients.remove(client);
    }

    private void record(FirmwareSwap swap) {
        history.add(swap);
        try {
            swapListener.accept(swap);
        } catch (RuntimeException e) {
            LOG.warn("swap listener failed", e);
        }
    }

    /** Runs {@code listener} with every swap (or refused, failed or parked attempt) as it is recorded. */
    public void onSwap(java.util.function.Consumer<FirmwareSwap> listener) {
        swapListener = listener;
    }

    /** The swaps so far, oldest first. */
    public List<FirmwareSwap> history() {
        return List.copyOf(history);
    }

    /**
     * Moves the running GPU to {@code next} with nothing lost: no new work reaches the firmware
     * and it starts no new command ({@link #quiesce}); the commands it started finish (up to
     * {@code drainBound}); the old firmware is stopped; what it left unfinished is sorted
     * ({@link HaltedWork}): commands that had started and not finished in time are killed
     * (ECANCELED), the others are kept; InitData, its channels and every registered
     * {@link FirmwareClient}'s structures are built anew in the new ABI (event stamps, page tables,
     * VMs and user memory are version-independent and stay); the new firmware boots; the kept
     * commands are built again and queued in order, then the work held back meanwhile goes on.
     * Clients see no error unless a command of theirs was killed.
     *
     * @throws DrmException ENODEV if {@code next} does not run on this GPU, or the GPU is gone.
     *                      A failure after the old firmware stopped leaves the GPU crashed: its
     *                      work fails ENODEV.
     */
    public FirmwareSwap swapFirmware(Firmware next, Duration drainBound, String reason) throws DrmException {
        if (closed) {
            throw new DrmException(Errno.ENODEV, "the GPU is gone");
        }
        FirmwareAbi nextAbi = next.abi(hw.generation());
        kiln.agx.api.silicon.AscProgram program = next.program(hw.generation());
        java.time.Instant at = java.time.Instant.now();
        String from = parked ? "-" : firmware.version().toString();
        swapLock.writeLock().lock();
        long quiet = System.nanoTime();
        boolean wasHeld = parked && held != null; // its kills were reported with the parking
        HaltedWork halted = wasHeld ? held : HaltedWork.none(kernel);
        held = null;
        try {
            try {
                if (!parked) {
                    halted = halt(drainBound, "swap");
                }
                abi.field(HANDOFF, "magic_fw").set(handoffRegion(silicon, memory), 0, 0);
                InitDataBuilder.Built old = init;
                silicon.asc().load(program);
                abi = nextAbi;
                firmware = next;
                bindFields(nextAbi);
                init = new InitDataBuilder(kernel, nextAbi, hw, ttbat).build(hangTimeoutMs);
                for (FirmwareClient client : clients) {
                    client.rebuild();
                }
                silicon.mmio().write32(MmioRegion.ASC, AgxRegisters.CPU_CONTROL, AgxRegisters.CPU_RUN);
                handoff(silicon, memory, nextAbi);
                boot();
                old.free(kernel);
                crashed = false;
                parked = false;
                halted.replay();
            } catch (DrmException | RuntimeException | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                crashed = true;
                LOG.error("firmware swap {} -> {} failed; the GPU is gone", from, next.version(), e);
                Set<Object> failed = newIdentitySet();
                events.queues().forEach(q -> q.failAll(WorkError.of(WorkError.Kind.NO_DEVICE), failed));
                halted.failExpired(System.nanoTime(), 0, true, WorkError.of(WorkError.Kind.NO_DEVICE)); // not replayed
                record(new FirmwareSwap(reason, from, next.version().toString(), at,
                        Duration.ofNanos(System.nanoTime() - quiet), clients.size(), 0, halted.killed(), "failed: " + e));
                throw e instanceof DrmException d ? d : new DrmException(Errno.ENODEV, "firmware swap failed: " + e);
            }
        } finally {
            swapLock.writeLock().unlock();
            synchronized (attachSignal) {
                attachSignal.notifyAll();
            }
        }
        FirmwareSwap done = new FirmwareSwap(reason, from, next.version().toString(), at, Duration.ofNanos(System.nanoTime() - quiet),
                clients.size(), halted.replayed(), failedByCrash.getAndSet(0) + (wasHeld ? 0 : halted.killed()), "ok");
        record(done);
        LOG.info("firmware {} -> {}: {} queues rebuilt, {} commands replayed, {} killed, {} us without firmware", from,
                next.version(), done.queues(), done.replayed(), halted.killed(), done.downtime().toNanos() / 1000);
        return done;
    }

    /**
     * Stops the running firmware as a swap or parking does: {@link #quiesce}, then the ASC; then
     * sorts what it left unfinished ({@link HaltedWork}), killing what had started. Nothing to
     * sort if the firmware had crashed (its work failed with it).
     */
    private HaltedWork halt(Duration drainBound, String what) throws InterruptedException {
        boolean running = !crashed;
        if (running && !quiesce(drainBound)) {
            LOG.warn("{}: started work did not finish in {} ms; halting it", what, drainBound.toMillis());
        }
        silicon.mmio().write32(MmioRegion.ASC, AgxRegisters.CPU_CONTROL, 0);
        silicon.asc().awaitStop(HANDOFF_TIMEOUT);
        silicon.asc().setReceiver(null);
        if (!running || crashed) {
            return HaltedWork.none(kernel);
        }
        HaltedWork halted = HaltedWork.collect(events.queues(), runningQueues(), kernel);
        halted.kill();
        return halted;
    }

    /**
     * A swap's first step: the firmware starts no new command ({@code DEVCTRL_KILN_QUIESCE}, once
     * it has read it) and the commands it had started run to their end — including the fragment
     * pass of a render whose vertex pass ran — up to {@code drainBound}; whether they did.
     */
    private boolean quiesce(Duration drainBound) {
        long deadline = System.nanoTime() + drainBound.toNanos();
        try {
            deviceControl(FirmwareProtocol.DEVCTRL_KILN_QUIESCE);
            send(AscMessages.EP_DOORBELL, AscMessages.doorbell(AscMessages.DOORBELL_DEVCTRL));
        } catch (DrmException e) {
            LOG.warn("swap: could not quiesce the firmware: {}", e.getMessage());
            return false;
        }
        List<WorkQueue> queues = events.queues();
        while (!crashed && (!init.rings().deviceControl().drained() || !running().isEmpty()
                || HaltedWork.partlyDone(queues))) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
        }
        return true;
    }

    /** Stops the firmware and powers off; frees the kernel memory. */
    @Override
    public void close() {
        closed = true;
        Thread w = watchdog;
        if (w != null) {
            java.util.concurrent.locks.LockSupport.unpark(w);
        }
        synchronized (attachSignal) {
            attachSignal.notifyAll();
        }
        silicon.asc().setReceiver(null);
        events.queues().forEach(q -> q.failAll(WorkError.of(WorkError.Kind.NO_DEVICE), newIdentitySet()));
        swapLock.writeLock().lock();
        try {
            if (held != null) {
                held.failExpired(System.nanoTime(), 0, true, WorkError.of(WorkError.Kind.NO_DEVICE));
                held = null;
            }
        } finally {
            swapLock.writeLock().unlock();
        }
        slots.powerOff();
        silicon.close();
        kernel.close();
        kernelLower.close();
        kernelTable.close();
    }
}
