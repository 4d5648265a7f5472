package kiln.agx.firmware;

import static kiln.agx.api.firmware.AbiType.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import kiln.agx.api.firmware.AbiField;
import kiln.agx.api.firmware.AbiType;
import kiln.agx.api.firmware.FirmwareAbi;
import kiln.agx.api.firmware.FirmwareProtocol;
import kiln.agx.api.firmware.FirmwareVersion;
import kiln.agx.api.firmware.MicroOp;
import kiln.agx.api.firmware.PipeType;
import kiln.agx.api.hw.AgxRegisters;
import kiln.agx.api.hw.AscMessages;
import kiln.agx.api.hw.FirmwareCoreId;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.hw.GpuRevision;
import kiln.agx.api.hw.GpuVariant;
import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.hw.PerformanceState;
import kiln.agx.api.hw.UatProt;
import kiln.agx.api.silicon.MailboxMessage;
import kiln.agx.api.silicon.MmioRegion;
import kiln.agx.api.silicon.ReservedRegion;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.agx.silicon.ComputeHarness;
import kiln.agx.silicon.TestMachine;
import kiln.drm.api.memory.PhysicalPages;

/**
 * The driver's side of the firmware protocol, built by hand for tests: kernel memory in UAT
 * context 0, InitData and every channel in the ABI under test, work queues, stamps, and the
 * event channel drained on every doorbell from the firmware. User buffers live in context 1
 * ({@link ComputeHarness}).
 */
final class TestDriver implements AutoCloseable {
    static final long KERNEL_BASE = 0xffff_ffa0_0000_0000L;
    private static final long KERNEL_BYTES = 8 << 20;
    /** A G14G-shaped chip for the G14 pairs (the real tables are tested in agx.g14). */
    static final HwConfig G14_SMALL = new HwConfig(0x8112, GpuGen.G14, GpuVariant.G, FirmwareCoreId.G14G, Set.of(),
            24_000_000L, 40, 1, 1, 10, 10, 4, 0x540, 0x280, 0x20, 0xa041, 1.02f, 0, 0, 0, GpuRevision.A1,
            java.util.List.of(PerformanceState.uniform(0, 400, 1, 0), PerformanceState.uniform(444_000_000L, 603, 1, 3000)));

    /** A message the firmware sent on the event channel. */
    record Event(int type, long[] firing, int slot) {
        boolean flags(int stampSlot) {
            return type == FirmwareProtocol.EVENT_FLAG && (firing[stampSlot >> 5] >>> (stampSlot & 31) & 1) != 0;
        }
    }

    final FirmwareAbi abi;
    final ComputeHarness user;
    final PhysicalPages kernelPages;
    final MemorySegment kernel;
    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    final BlockingQueue<MailboxMessage> crashes = new LinkedBlockingQueue<>();
    final long initData, runtimePointers, globals, fwStatus, stamps, fwStamps, statsComp;
    private long next = KERNEL_BASE;
    private final long eventChannel;
    private final long deviceControlChannel;

    TestDriver(GpuGen gen, String version) throws Exception {
        this.abi = AbiCatalog.abi(gen, FirmwareVersion.parse(version));
        this.user = new ComputeHarness(gen == GpuGen.G14 ? G14_SMALL : TestMachine.SMALL,
                SiliconOptions.defaults().withHostWorkers(2));
        TestMachine machine = user.machine;
        long kernelRoot = machine.newTable();
        machine.bind(0, machine.newTable(), kernelRoot);
        kernelPages = machine.allocate(KERNEL_BYTES);
        machine.map(kernelRoot, KERNEL_BASE, kernelPages, UatProt.FW_SHARED_RW);
        kernel = kernelPages.memory();

        initData = alloc(INIT_DATA);
        runtimePointers = alloc(RUNTIME_POINTERS);
        globals = alloc(GLOBALS);
        fwStatus = alloc(FW_STATUS);
        set(INIT_DATA, "runtime_pointers", initData, runtimePointers);
        set(INIT_DATA, "globals", initData, globals);
        set(INIT_DATA, "fw_status", initData, fwStatus);
        set(INIT_DATA, "ver_info", initData, 1); // absent before 13.0b4
        set(GLOBALS, "fault_control", globals, 0xb);
        set(GLOBALS, "unk_24_0", globals, 3000); // 13.2 only
        for (int p = 0; p < FirmwareProtocol.PRIORITIES; p++) {
            long pipes = runtimePointers + field(RUNTIME_POINTERS, "pipes").offset(p);
            for (String kind : new String[] {"vtx", "frag", "comp"}) {
                channel(pipes + field(PIPE_CHANNELS, kind).offset(), FirmwareProtocol.PIPE_RING_ENTRIES, RUN_WORK_QUEUE_MSG);
            }
        }
        deviceControlChannel = channel(runtimePointers + field(RUNTIME_POINTERS, "device_control").offset(),
                FirmwareProtocol.DEVICE_CONTROL_RING_ENTRIES, DEVICE_CONTROL_MSG);
        eventChannel = channel(runtimePointers + field(RUNTIME_POINTERS, "event").offset(),
                FirmwareProtocol.EVENT_RING_ENTRIES, EVENT_MSG);
        channel(runtimePointers + field(RUNTIME_POINTERS, "fw_log").offset(), FirmwareProtocol.FW_LOG_RING_ENTRIES, FW_LOG_MSG);
        channel(runtimePointers + field(RUNTIME_POINTERS, "ktrace").offset(), FirmwareProtocol.KTRACE_RING_ENTRIES, FW_LOG_MSG);
        channel(runtimePointers + field(RUNTIME_POINTERS, "stats").offset(), FirmwareProtocol.STATS_RING_ENTRIES, STATS_MSG);
        channel(fwStatus + field(FW_STATUS, "fwctl_channel").offset(), FirmwareProtocol.FW_CTL_RING_ENTRIES, FW_CTL_MSG);
        stamps = alloc(FirmwareProtocol.EVENT_SLOTS * abi.sizeOf(STAMP));
        fwStamps = alloc(FirmwareProtocol.EVENT_SLOTS * abi.sizeOf(FW_STAMP));
        statsComp = alloc(GPU_GLOBAL_STATS);
        set(RUNTIME_POINTERS, "stats_comp", runtimePointers, statsComp);
    }

    // ---- kernel memory

    long alloc(long bytes) {
        long va = next;
        next = (next + bytes + 0x7f) & ~0x7fL;
        if (next - KERNEL_BASE > KERNEL_BYTES) {
            throw new IllegalStateException("test kernel heap exhausted");
        }
        return va;
    }

    long alloc(AbiType type) {
        return alloc(abi.sizeOf(type));
    }

    AbiField field(AbiType type, String name) {
        return abi.field(type, name);
    }

    /** Writes {@code type.name} of the structure at kernel VA {@code va}. */
    void set(AbiType type, String name, long va, long value) {
        field(type, name).set(kernel, va - KERNEL_BASE, value);
    }

    void set(AbiType type, String name, long va, int index, long value) {
        field(type, name).set(kernel, va - KERNEL_BASE, index, value);
    }

    long get(AbiType type, String name, long va) {
        return field(type, name).get(kernel, va - KERNEL_BASE);
    }

    /** Address of the nested structure {@code type.name} inside the structure at {@code va}. */
    long inner(AbiType type, String name, long va) {
        return va + field(type, name).offset();
    }

    int readInt(long va) {
        return kernel.get(ValueLayout.JAVA_INT_UNALIGNED, va - KERNEL_BASE);
    }

    long readLong(long va) {
        return kernel.get(ValueLayout.JAVA_LONG_UNALIGNED, va - KERNEL_BASE);
    }

    void writeInt(long va, int value) {
        kernel.set(ValueLayout.JAVA_INT_UNALIGNED, va - KERNEL_BASE, value);
    }

    private long channel(long ringStruct, int entries, AbiType message) {
        long state = alloc(CHANNEL_STATE);
        long ring = alloc(entries * abi.sizeOf(message));
        set(CHANNEL_RING, "state", ringStruct, state);
        set(CHANNEL_RING, "ring", ringStruct, ring);
        set(CHANNEL_RING, "entries", ringStruct, entries);
        return ringStruct;
    }

    private long channelState(long ringStruct) {
        return get(CHANNEL_RING, "state", ringStruct);
    }

    /** Appends a message to an AP-to-firmware channel; its address, for the writer. */
    long produce(long ringStruct, AbiType message, java.util.function.LongConsumer writer) {
        long state = channelState(ringStruct);
        int entries = (int) get(CHANNEL_RING, "entries", ringStruct);
        int write = (int) get(CHANNEL_STATE, "write_ptr", state);
        long at = get(CHANNEL_RING, "ring", ringStruct) + write * abi.sizeOf(message);
        kernel.asSlice(at - KERNEL_BASE, abi.sizeOf(message)).fill((byte) 0);
        writer.accept(at);
        set(CHANNEL_STATE, "write_ptr", state, (write + 1) % entries);
        return at;
    }

    // ---- boot and the mailbox

    /** Loads the firmware, starts the ASC, waits for the handoff, sends INIT and Initialize. */
    void boot(kiln.agx.api.silicon.AscProgram program) throws Exception {
        var asc = user.machine.silicon.asc();
        asc.setReceiver(this::received);
        asc.load(program);
        user.machine.silicon.mmio().write32(MmioRegion.ASC, AgxRegisters.CPU_CONTROL, AgxRegisters.CPU_RUN);
        MemorySegment handoff = user.machine.memory.frame(
                user.machine.silicon.reservedRegion(ReservedRegion.HANDOFF).physicalAddress());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (field(HANDOFF, "magic_fw").get(handoff, 0) != FirmwareProtocol.PPL_MAGIC) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Handoff: Failed to initialize (firmware not running?)");
            }
            Thread.sleep(1);
        }
        deviceControl(FirmwareProtocol.DEVCTRL_INITIALIZE);
        send(AscMessages.EP_FIRMWARE, AscMessages.init(initData));
        doorbell(AscMessages.DOORBELL_DEVCTRL);
    }

    /** Queues a device-control message of {@code type} (no payload); its address. */
    long deviceControl(int type) {
        return produce(deviceControlChannel, DEVICE_CONTROL_MSG, at -> set(DEVICE_CONTROL_MSG, "msg_type", at, type));
    }

    long deviceControlChannel() {
        return deviceControlChannel;
    }

    void send(int endpoint, long payload) throws InterruptedException {
        if (!user.machine.silicon.asc().send(new MailboxMessage(endpoint, payload), Duration.ofSeconds(5))) {
            throw new AssertionError("mailbox full");
        }
    }

    void doorbell(int argument) throws InterruptedException {
        send(AscMessages.EP_DOORBELL, AscMessages.doorbell(argument));
    }

    private void received(MailboxMessage m) {
        if (m.endpoint() == AscMessages.EP_CRASHLOG) {
            crashes.add(m);
            return;
        }
        long state = channelState(eventChannel);
        long ring = get(CHANNEL_RING, "ring", eventChannel);
        int entries = (int) get(CHANNEL_RING, "entries", eventChannel);
        long size = abi.sizeOf(EVENT_MSG);
        synchronized (events) {
            int read = (int) get(CHANNEL_STATE, "read_ptr", state);
            while (read != (int) get(CHANNEL_STATE, "write_ptr", state)) {
                long at = ring + read * size;
                int type = (int) get(EVENT_MSG, "msg_type", at);
                long[] firing = new long[4];
                for (int i = 0; i < 4; i++) {
                    firing[i] = field(EVENT_MSG, "firing").get(kernel, at - KERNEL_BASE, i);
                }
                events.add(new Event(type, firing, (int) get(EVENT_MSG_TIMEOUT, "event_slot", at)));
                read = (read + 1) % entries;
                set(CHANNEL_STATE, "read_ptr", state, read);
            }
        }
    }

    /**
     * The type of the newest event the firmware published, read straight from the ring (not
     * consumed), or -1 if it published none since {@code lastWritePtr}; {@code out[0]} gets the
     * write pointer now. For observers that race the firmware on purpose.
     */
    int newestEventType(int lastWritePtr, int[] out) {
        long state = channelState(eventChannel);
        int write = (int) get(CHANNEL_STATE, "write_ptr", state);
        out[0] = write;
        if (write == lastWritePtr) {
            return -1;
        }
        int entries = (int) get(CHANNEL_RING, "entries", eventChannel);
        long at = get(CHANNEL_RING, "ring", eventChannel) + (long) ((write - 1 + entries) % entries) * abi.sizeOf(EVENT_MSG);
        return (int) get(EVENT_MSG, "msg_type", at);
    }

    /** The next event, or a failure after 20 s. */
    Event nextEvent() throws InterruptedException {
        Event e = events.poll(20, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no event from the firmware; " + diagnosis());
        }
        return e;
    }

    /** Waits for the flag of {@code slot}; fails on any other kind of event. */
    void awaitFlag(int slot) throws InterruptedException {
        while (true) {
            Event e = nextEvent();
            if (e.type() != FirmwareProtocol.EVENT_FLAG) {
                throw new AssertionError("expected a flag for slot " + slot + ", got event type " + e.type());
            }
            if (e.flags(slot)) {
                return;
            }
        }
    }

    /** Waits until stamp {@code slot} reads {@code value}; fails on any event that is not a flag. */
    void awaitStamp(int slot, int value) throws InterruptedException {
        while (stamp(slot) != value) {
            Event e = nextEvent();
            if (e.type() != FirmwareProtocol.EVENT_FLAG) {
                throw new AssertionError("event type " + e.type() + " while waiting for stamp " + slot + "; " + diagnosis());
            }
        }
    }

    /** The ASC's state, crash reports and the firmware log, for failure messages. */
    String diagnosis() {
        StringBuilder b = new StringBuilder("ASC " + user.machine.silicon.asc().state() + ", crashes " + crashes + ", log:");
        long log = runtimePointers + field(RUNTIME_POINTERS, "fw_log").offset();
        long ring = get(CHANNEL_RING, "ring", log);
        int written = (int) get(CHANNEL_STATE, "write_ptr", channelState(log));
        for (int i = 0; i < written; i++) {
            long at = ring + i * abi.sizeOf(FW_LOG_MSG) + field(FW_LOG_MSG, "msg").offset();
            b.append("\n  ").append(kernel.getString(at - KERNEL_BASE));
        }
        return b.toString();
    }

    int stamp(int slot) {
        return readInt(stamps + slot * abi.sizeOf(STAMP));
    }

    long fwStamp(int slot) {
        return fwStamps + slot * abi.sizeOf(FW_STAMP);
    }

    // ---- work queues

    /** A work queue: descriptor, ring state and ring in kernel memory. */
    final class Queue {
        final long info;
        final PipeType pipe;
        final int priority;
        final long state;
        final long ring;
        final int size;
        final int eventSlot;
        private int wptr;
        private boolean opened;

        Queue(PipeType pipe, int priority, int size, int eventSlot) {
            this.pipe = pipe;
            this.priority = priority;
            this.size = size;
            this.eventSlot = eventSlot;
            info = alloc(QUEUE_INFO);
            state = alloc(RING_STATE);
            ring = alloc(8L * size);
            set(QUEUE_INFO, "state", info, state);
            set(QUEUE_INFO, "ring", info, ring);
            set(QUEUE_INFO, "event_id", info, -1);
            set(QUEUE_INFO, "unk_a0_0", info, 0); // 13.2 only
            set(RING_STATE, "rb_size", state, size);
        }

        /** Puts {@code commands} on the ring and tells the firmware. */
        void submit(long... commands) throws InterruptedException {
            for (long c : commands) {
                kernel.set(ValueLayout.JAVA_LONG_UNALIGNED, ring + 8L * wptr - KERNEL_BASE, c);
                wptr = (wptr + 1) % size;
            }
            set(RING_STATE, "cpu_wptr", state, wptr);
            long channels = runtimePointers + field(RUNTIME_POINTERS, "pipes").offset(priority);
            long channel = channels + field(PIPE_CHANNELS, switch (pipe) {
                case VERTEX -> "vtx";
                case FRAGMENT -> "frag";
                case COMPUTE -> "comp";
            }).offset();
            boolean isNew = !opened;
            opened = true;
            produce(channel, RUN_WORK_QUEUE_MSG, at -> {
                set(RUN_WORK_QUEUE_MSG, "pipe_type", at, pipe.ordinal());
                set(RUN_WORK_QUEUE_MSG, "work_queue", at, info);
                set(RUN_WORK_QUEUE_MSG, "wptr", at, wptr);
                set(RUN_WORK_QUEUE_MSG, "event_slot", at, eventSlot);
                set(RUN_WORK_QUEUE_MSG, "is_new", at, isNew ? 1 : 0);
            });
            doorbell(pipe.doorbell(priority));
        }

        int doneptr() {
            return (int) get(RING_STATE, "gpu_doneptr", state);
        }
    }

    Queue queue(PipeType pipe, int priority, int eventSlot) {
        return new Queue(pipe, priority, 64, eventSlot);
    }

    // ---- microsequences

    /** Allocates {@code ops} back to back, each with its opcode written; the address of each. */
    long[] microsequence(MicroOp... ops) {
        long total = 0;
        for (MicroOp op : ops) {
            total += abi.sizeOf(op.layout());
        }
        long at = alloc(total);
        long[] addresses = new long[ops.length];
        for (int i = 0; i < ops.length; i++) {
            addresses[i] = at;
            set(ops[i].layout(), "op", at, ops[i].opcode());
            at += abi.sizeOf(ops[i].layout());
        }
        return addresses;
    }

    /**
     * The standard microsequence Start → Timestamp → WaitForIdle → Timestamp → Finalize →
     * RetireStamp; the address of each op.
     */
    long[] standardMicrosequence(MicroOp start, MicroOp finalize, int pipeBit, long timestamps) {
        long[] ops = microsequence(start, MicroOp.TIMESTAMP, MicroOp.WAIT_FOR_IDLE, MicroOp.TIMESTAMP, finalize,
                MicroOp.RETIRE_STAMP);
        set(MS_TIMESTAMP, "arg", ops[1], MicroOp.TIMESTAMP_START & 0xffff_ffffL);
        set(MS_TIMESTAMP, "update_ts", ops[1], timestamps);
        set(MS_WAIT_FOR_IDLE, "arg", ops[2], pipeBit);
        set(MS_TIMESTAMP, "update_ts", ops[3], timestamps + 8);
        set(MS_RETIRE_STAMP, "arg", ops[5], MicroOp.RETIRE_STAMP_ARG);
        return ops;
    }

    void jobMeta(long meta, int slot, int value) {
        set(JOB_META, "stamp", meta, stamps + slot * abi.sizeOf(STAMP));
        set(JOB_META, "fw_stamp", meta, fwStamp(slot));
        set(JOB_META, "stamp_value", meta, value);
        set(JOB_META, "stamp_slot", meta, slot);
    }

    /** A {@code RunCompute} running the launches in {@code [encoder, encoderEnd)}, completing stamp {@code slot} at {@code value}. */
    long compute(long encoder, long encoderEnd, int slot, int value, long timestamps) {
        long cmd = alloc(RUN_COMPUTE);
        set(RUN_COMPUTE, "tag", cmd, 3);
        set(RUN_COMPUTE, "vm_slot", cmd, ComputeHarness.SLOT);
        set(RUN_COMPUTE, "stats", cmd, statsComp);
        set(RUN_COMPUTE, "counter", cmd, 1); // absent before 13.0b4
        long jp1 = inner(RUN_COMPUTE, "job_params1", cmd);
        long jp2 = inner(RUN_COMPUTE, "job_params2", cmd);
        set(JOB_PARAMETERS_1_COMPUTE, "encoder", jp1, encoder);
        set(JOB_PARAMETERS_2, "encoder_end", jp2, encoderEnd);
        jobMeta(inner(RUN_COMPUTE, "job_meta", cmd), slot, value);
        long[] ms = standardMicrosequence(MicroOp.START_COMPUTE, MicroOp.FINALIZE_COMPUTE, MicroOp.PIPE_COMPUTE, timestamps);
        set(MS_START_COMPUTE, "job_params1", ms[0], jp1);
        set(MS_START_COMPUTE, "job_params2", ms[0], jp2);
        set(MS_START_COMPUTE, "vm_slot", ms[0], ComputeHarness.SLOT);
        set(MS_FINALIZE_COMPUTE, "fw_stamp", ms[4], fwStamp(slot));
        set(MS_FINALIZE_COMPUTE, "stamp_value", ms[4], value);
        set(RUN_COMPUTE, "microsequence", cmd, ms[0]);
        set(RUN_COMPUTE, "microsequence_size", cmd, ms[5] + abi.sizeOf(MS_RETIRE_STAMP) - ms[0]);
        return cmd;
    }

    /** A {@code Barrier} that waits until stamp {@code slot} reaches {@code value}. */
    long barrier(int slot, int value) {
        long cmd = alloc(BARRIER);
        set(BARRIER, "tag", cmd, 4);
        set(BARRIER, "wait_stamp", cmd, fwStamp(slot));
        set(BARRIER, "wait_value", cmd, value);
        set(BARRIER, "wait_slot", cmd, slot);
        set(BARRIER, "uuid", cmd, FirmwareProtocol.BARRIER_UUID & 0xffff_ffffL);
        return cmd;
    }

    boolean halted() {
        return get(FW_STATUS, "halted", fwStatus) != 0;
    }

    void resume() {
        set(FW_STATUS, "resume", fwStatus, 1);
    }

    @Override
    public void close() {
        user.machine.silicon.mmio().write32(MmioRegion.ASC, AgxRegisters.CPU_CONTROL, 0);
        user.close();
    }
}
