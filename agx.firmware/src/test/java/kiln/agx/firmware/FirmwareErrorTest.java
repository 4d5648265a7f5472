package kiln.agx.firmware;

import static kiln.agx.api.firmware.AbiType.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.agx.api.firmware.FirmwareProtocol;
import kiln.agx.api.firmware.PipeType;
import kiln.agx.api.hw.AgxRegisters;
import kiln.agx.api.hw.AscMessages;
import kiln.agx.api.hw.FaultInfo;
import kiln.agx.api.hw.FaultReason;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.silicon.Asc;
import kiln.agx.api.silicon.MmioRegion;
import kiln.agx.api.silicon.ReservedRegion;
import kiln.agx.silicon.ComputeHarness;
import kiln.agx.silicon.ComputeHarness.Buffer;

/**
 * Errors as the firmware reports them: a GPU fault and a hang stop the culprit, halt the
 * firmware and carry on after resume with only the culprit affected; a bad pointer in a firmware
 * structure, or an injected crash, crashes the firmware; an injected hang stops it answering.
 * Also the firmware-control flush and DestroyContext handshakes.
 */
class FirmwareErrorTest {
    private static final long UNMAPPED = 0x30_0000_0000L;

    private static FaultInfo faultInfo(TestDriver d) {
        return FaultInfo.decode(d.user.machine.silicon.mmio().read64(MmioRegion.SGX, AgxRegisters.FAULT_INFO));
    }

    @ParameterizedTest
    @MethodSource("kiln.agx.firmware.FirmwareComputeTest#pairs")
    void aGpuFaultHaltsWithTheFaultLatchedAndResumeFinishesOnlyTheCulpritWithItsStamp(GpuGen gen, String version)
            throws Exception {
        try (TestDriver d = FirmwareComputeTest.booted(gen, version)) {
            Buffer a = d.user.buffer(4 * 32);
            long program = d.user.program(FirmwareComputeTest.ADD_ONE);
            long[] bad = FirmwareComputeTest.encoder(d, program, 32, a.va(), UNMAPPED);
            long[] good = FirmwareComputeTest.encoder(d, program, 32, a.va(), a.va());
            long ts = d.alloc(TIMESTAMPS);
            TestDriver.Queue q = d.queue(PipeType.COMPUTE, 0, 3);
            q.submit(d.compute(bad[0], bad[1], 3, 0x100, ts), d.compute(good[0], good[1], 3, 0x200, ts));
            TestDriver.Event e = d.nextEvent();
            assertEquals(FirmwareProtocol.EVENT_FAULT, e.type());
            assertTrue(d.halted());
            assertEquals(1, d.get(FW_STATUS, "halt_count", d.fwStatus));
            FaultInfo info = faultInfo(d);
            assertNotNull(info, "FAULT_INFO latched");
            assertEquals(FaultReason.UNMAPPED, info.reason());
            assertEquals(ComputeHarness.SLOT, info.vmSlot());
            assertFalse(info.read(), "a store");
            assertEquals(UNMAPPED >> 6 << 6, info.address() & ~0x3fL & ((1L << 40) - 1));
            assertEquals(1, d.get(GPU_GLOBAL_STATS, "faults", d.statsComp));
            long pending = d.globals + d.field(GLOBALS, "pending_stamps").offset(3);
            assertEquals(3 << FirmwareProtocol.PENDING_SLOT_SHIFT | FirmwareProtocol.PENDING_FAULTED | FirmwareProtocol.PENDING_ACTIVE,
                    d.get(PENDING_STAMP, "info", pending), "the culprit's slot is pending, flagged as faulted");
            assertEquals(0x100, d.get(PENDING_STAMP, "wait_value", pending));

            // halted: work submitted now on another queue does not start (its own buffer: the two
            // queues' commands may run at once after the resume)
            Buffer b = d.user.buffer(4 * 32);
            long[] otherGood = FirmwareComputeTest.encoder(d, program, 32, b.va(), b.va());
            TestDriver.Queue other = d.queue(PipeType.COMPUTE, 1, 4);
            other.submit(d.compute(otherGood[0], otherGood[1], 4, 0x100, ts));
            Thread.sleep(100);
            assertEquals(0, d.stamp(4), "nothing runs while halted");
            assertEquals(0, d.stamp(3));

            d.resume();
            d.awaitStamp(3, 0x200);
            d.awaitStamp(4, 0x100);
            assertFalse(d.halted());
            assertEquals(0, d.get(FW_STATUS, "resume", d.fwStatus), "the firmware acknowledged");
            assertEquals(1, a.getInt(0), "the culprit's queue's good command ran once after the fault");
            assertEquals(1, b.getInt(0), "the other queue's command ran once after the resume");
            assertEquals(0, d.get(PENDING_STAMP, "info", pending), "nothing pending once all retired");
        }
    }

    /**
     * The state comes before the message: a driver reading the event ring at any moment (as one
     * draining for an earlier doorbell does) never sees a fault event before {@code FwStatus}
     * records the halt, so its recovery always finds the firmware halted. A spinning observer races
     * every fault's publication; each fault is resumed and the next command runs.
     */
    @Test
    void aFaultIsPublishedOnlyOnceTheFirmwareShowsItselfHalted() throws Exception {
        try (TestDriver d = FirmwareComputeTest.booted(GpuGen.G13, "13.2")) {
            Buffer a = d.user.buffer(4 * 32);
            long program = d.user.program(FirmwareComputeTest.ADD_ONE);
            long[] bad = FirmwareComputeTest.encoder(d, program, 32, a.va(), UNMAPPED);
            long ts = d.alloc(TIMESTAMPS);
            TestDriver.Queue q = d.queue(PipeType.COMPUTE, 0, 5);
            java.util.concurrent.atomic.AtomicInteger faultsSeen = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger seenNotHalted = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread observer = Thread.ofPlatform().name("fault-observer").start(() -> {
                int[] write = new int[1];
                d.newestEventType(-1, write); // where the ring stands now
                while (!stop.get()) {
                    int last = write[0];
                    int type = d.newestEventType(last, write);
                    if (type == FirmwareProtocol.EVENT_FAULT) {
                        if (!d.halted()) {
                            seenNotHalted.incrementAndGet();
                        }
                        faultsSeen.incrementAndGet();
                    }
                    Thread.onSpinWait();
                }
            });
            try {
                int rounds = 150;
                for (int i = 1; i <= rounds; i++) {
                    q.submit(d.compute(bad[0], bad[1], 5, 0x100 * i, ts));
                    TestDriver.Event e = d.nextEvent();
                    while (e.type() == FirmwareProtocol.EVENT_FLAG) {
                        e = d.nextEvent(); // the previous round's completion may be announced after its stamp moved
                    }
                    assertEquals(FirmwareProtocol.EVENT_FAULT, e.type(), "round " + i);
                    // the observer looks before the resume clears halted
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (faultsSeen.get() < i && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    assertEquals(i, faultsSeen.get(), "the observer saw every fault");
                    d.resume();
                    d.awaitStamp(5, 0x100 * i);
                }
            } finally {
                stop.set(true);
                observer.join();
            }
            assertEquals(0, seenNotHalted.get(), "fault events visible before the firmware showed itself halted (of "
                    + faultsSeen.get() + " seen)");
        }
    }

    @Test
    void aHangIsCancelledByTheWatchdogAndReportedAsATimeoutWithItsEventSlot() throws Exception {
        try (TestDriver d = FirmwareComputeTest.booted(GpuGen.G14, "13.2")) {
            d.set(GLOBALS, "hang_timeout_ms", d.globals, 200);
            Buffer a = d.user.buffer(4 * 32);
            long forever = d.user.program("""
                    loop
                    iadd r1, r1, #1
                    endloop
                    stop
                    """);
            long[] hang = FirmwareComputeTest.encoder(d, forever, 32);
            long[] good = FirmwareComputeTest.encoder(d, d.user.program(FirmwareComputeTest.ADD_ONE), 32, a.va(), a.va());
            long ts = d.alloc(TIMESTAMPS);
            TestDriver.Queue q = d.queue(PipeType.COMPUTE, 0, 17);
            q.submit(d.compute(hang[0], hang[1], 17, 0x100, ts), d.compute(good[0], good[1], 17, 0x200, ts));
            TestDriver.Event e = d.nextEvent();
            assertEquals(FirmwareProtocol.EVENT_TIMEOUT, e.type());
            assertEquals(17, e.slot());
            assertTrue(d.halted());
            assertNull(faultInfo(d), "a timeout, not a fault");
            d.resume();
            d.awaitStamp(17, 0x200);
            assertEquals(1, a.getInt(5));
        }
    }

    @Test
    void aBadPointerInAFirmwareStructureCrashesTheFirmwareAsAFirmwareFault() throws Exception {
        try (TestDriver d = FirmwareComputeTest.booted(GpuGen.G13, "13.2")) {
            long[] enc = FirmwareComputeTest.encoder(d, d.user.program(FirmwareComputeTest.ADD_ONE), 32);
            long cmd = d.compute(enc[0], enc[1], 1, 0x100, d.alloc(TIMESTAMPS));
            long nowhere = 0xffff_ffb0_0000_0000L;
            d.set(RUN_COMPUTE, "microsequence", cmd, nowhere);
            d.queue(PipeType.COMPUTE, 0, 1).submit(cmd);
            assertEquals(AscMessages.EP_CRASHLOG, d.crashes.poll(20, TimeUnit.SECONDS).endpoint());
            assertEquals(Asc.State.CRASHED, d.user.machine.silicon.asc().awaitStop(Duration.ofSeconds(5)));
            FaultInfo info = faultInfo(d);
            assertEquals(0xad, info.unit(), "the firmware's own access: " + info);
            assertEquals(0, info.vmSlot());
            assertTrue(info.read());
            assertEquals(0, d.stamp(1));
        }
    }

    @Test
    void anInjectedCrashStopsTheFirmwareAnsweringAndAnInjectedHangToo() throws Exception {
        try (TestDriver d = FirmwareComputeTest.booted(GpuGen.G13, "12.3")) {
            d.deviceControl(FirmwareProtocol.DEVCTRL_KILN_INJECT_CRASH);
            d.doorbell(AscMessages.DOORBELL_DEVCTRL);
            assertNotNull(d.crashes.poll(20, TimeUnit.SECONDS));
            assertEquals(Asc.State.CRASHED, d.user.machine.silicon.asc().awaitStop(Duration.ofSeconds(5)));
        }
        try (TestDriver d = FirmwareComputeTest.booted(GpuGen.G13, "12.3")) {
            d.deviceControl(FirmwareProtocol.DEVCTRL_KILN_INJECT_HANG);
            d.doorbell(AscMessages.DOORBELL_DEVCTRL);
            Buffer a = d.user.buffer(4 * 32);
            long[] enc = FirmwareComputeTest.encoder(d, d.user.program(FirmwareComputeTest.ADD_ONE), 32, a.va(), a.va());
            d.queue(PipeType.COMPUTE, 0, 2).submit(d.compute(enc[0], enc[1], 2, 0x100, d.alloc(TIMESTAMPS)));
            assertNull(d.events.poll(300, TimeUnit.MILLISECONDS), "a hung firmware answers nothing");
            assertEquals(0, d.stamp(2));
            assertEquals(Asc.State.RUNNING, d.user.machine.silicon.asc().state());
        }
    }

    @Test
    void firmwareControlFlushesASlotAndDestroyContextAnswersItsToken() throws Exception {
        try (TestDriver d = FirmwareComputeTest.booted(GpuGen.G14, "13.2")) {
            var handoff = d.user.machine.memory.frame(
                    d.user.machine.silicon.reservedRegion(ReservedRegion.HANDOFF).physicalAddress());
            long flush3 = d.field(HANDOFF, "flush").offset(3);
            d.field(FLUSH_INFO, "state").set(handoff, flush3, FirmwareProtocol.FLUSH_REQUESTED);
            d.produce(d.fwStatus + d.field(FW_STATUS, "fwctl_channel").offset(), FW_CTL_MSG, at -> {
                d.set(FW_CTL_MSG, "slot", at, 3);
                d.set(FW_CTL_MSG, "page_count", at, 1);
            });
            d.send(AscMessages.EP_FIRMWARE, AscMessages.MSG_FWCTL);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (d.field(FLUSH_INFO, "state").get(handoff, flush3) != FirmwareProtocol.FLUSH_DONE) {
                assertTrue(System.nanoTime() < deadline, "flush answered");
                Thread.sleep(1);
            }

            long token = d.alloc(8);
            long context = d.alloc(GPU_CONTEXT_DATA);
            d.produce(d.deviceControlChannel(), DEVICE_CONTROL_DESTROY_CONTEXT, at -> {
                d.set(DEVICE_CONTROL_DESTROY_CONTEXT, "msg_type", at, FirmwareProtocol.DEVCTRL_DESTROY_CONTEXT);
                d.set(DEVICE_CONTROL_DESTROY_CONTEXT, "ctx_0", at, 0xff);
                d.set(DEVICE_CONTROL_DESTROY_CONTEXT, "ctx_1", at, 0xff);
                d.set(DEVICE_CONTROL_DESTROY_CONTEXT, "gpu_context", at, context);
                d.set(DEVICE_CONTROL_DESTROY_CONTEXT, "token", at, token);
            });
            d.doorbell(AscMessages.DOORBELL_DEVCTRL);
            while (d.readInt(token) != 1) {
                assertTrue(System.nanoTime() < deadline, "DestroyContext answered");
                Thread.sleep(1);
            }
        }
    }

    /**
     * Quiesce (a live swap's first step): the command already running finishes with its stamp,
     * and nothing starts after it — neither the next command on its queue nor a command on a queue
     * that arrives later — while barriers are still passed.
     */
    @Test
    void quiescedTheRunningCommandFinishesAndNoOtherStarts() throws Exception {
        try (TestDriver d = FirmwareComputeTest.booted(GpuGen.G13, "13.2")) {
            Buffer count = d.user.buffer(4);
            Buffer a = d.user.buffer(4 * 32);
            Buffer b = d.user.buffer(4 * 32);
            count.memory().set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 3_000_000);
            long spin = d.user.program("""
                    movi r0, #0
                    ld r1, u0, r0
                    loop
                    isub r1, r1, #1
                    ile r2, r1, #0
                    break r2
                    endloop
                    movi r3, #7
                    st r3, u1, r0
                    stop
                    """);
            long[] spinning = FirmwareComputeTest.encoder(d, spin, 1, count.va(), a.va() + 4 * 31);
            long addOne = d.user.program(FirmwareComputeTest.ADD_ONE);
            long[] incA = FirmwareComputeTest.encoder(d, addOne, 32, a.va(), a.va());
            long[] incB = FirmwareComputeTest.encoder(d, addOne, 32, b.va(), b.va());
            long ts = d.alloc(TIMESTAMPS);
            TestDriver.Queue q = d.queue(PipeType.COMPUTE, 0, 5);
            q.submit(d.compute(spinning[0], spinning[1], 5, 0x100, ts), d.compute(incA[0], incA[1], 5, 0x200, ts));
            long pending = d.globals + d.field(GLOBALS, "pending_stamps").offset(5);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (d.get(PENDING_STAMP, "info", pending) == 0) {
                assertTrue(System.nanoTime() < deadline, "the spin started");
                Thread.onSpinWait();
            }
            d.deviceControl(FirmwareProtocol.DEVCTRL_KILN_QUIESCE);
            d.doorbell(AscMessages.DOORBELL_DEVCTRL);
            TestDriver.Queue other = d.queue(PipeType.COMPUTE, 1, 6);
            long barrier = d.alloc(BARRIER);
            d.set(BARRIER, "tag", barrier, 4);
            d.set(BARRIER, "wait_stamp", barrier, d.fwStamp(5));
            d.set(BARRIER, "wait_value", barrier, 0x100);
            d.set(BARRIER, "wait_slot", barrier, 5);
            other.submit(barrier, d.compute(incB[0], incB[1], 6, 0x100, ts));
            d.awaitStamp(5, 0x100);
            assertEquals(7, a.getInt(31), "the started command ran to its end");
            Thread.sleep(300);
            assertEquals(0x100, d.stamp(5), "the next command on its queue did not start");
            assertEquals(0, a.getInt(0));
            assertEquals(0, d.stamp(6), "nor a command on another queue");
            assertEquals(0, b.getInt(0));
            assertEquals(0, d.get(PENDING_STAMP, "info", pending), "nothing is running");
            assertEquals(1, (int) d.get(RING_STATE, "gpu_rptr", other.state), "the barrier was passed, the command waits");
        }
    }
}
