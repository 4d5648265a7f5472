package kiln.agx.silicon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import kiln.agx.api.hw.AgxRegisters;
import kiln.agx.api.hw.AscMessages;
import kiln.agx.api.hw.UatProt;
import kiln.agx.api.silicon.Asc;
import kiln.agx.api.silicon.AscContext;
import kiln.agx.api.silicon.AscProgram;
import kiln.agx.api.silicon.ComputeDispatch;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.api.silicon.GpuMemory;
import kiln.agx.api.silicon.MailboxMessage;
import kiln.agx.api.silicon.MmioRegion;
import kiln.agx.silicon.ComputeHarness.Buffer;
import kiln.drm.api.memory.PhysicalPages;

/**
 * The ASC: a firmware program started by CPU_RUN, reading memory through the kernel UAT
 * context, driving a unit and ringing the AP's doorbell; halt, stop, crash; mailbox order and
 * back-pressure.
 */
class AscTest {
    private static final long KERNEL_VA = 0xffff_ffa0_0001_0000L;
    private ComputeHarness gpu;
    private Asc asc;
    private final BlockingQueue<MailboxMessage> fromFirmware = new LinkedBlockingQueue<>();
    private PhysicalPages kernelPage;

    /**
     * A toy firmware: INIT reads the word at the InitData address and rings back with it; a
     * kick runs the compute dispatch described at InitData + 8 and rings back with its
     * status; HALT returns; anything on endpoint 0x7f throws.
     */
    private static final AscProgram TOY_FIRMWARE = (AscContext ctx) -> {
        long initData = 0;
        while (true) {
            MailboxMessage m = ctx.receive(10, TimeUnit.SECONDS);
            if (m == null) {
                continue;
            }
            GpuMemory kernel = ctx.memory(0);
            if (m.endpoint() == 0x7f) {
                throw new IllegalStateException("firmware bug");
            }
            long type = AscMessages.type(m.payload());
            if (m.endpoint() == AscMessages.EP_FIRMWARE && type == AscMessages.MSG_INIT) {
                initData = AscMessages.initAddress(m.payload());
                ctx.send(AscMessages.EP_FIRMWARE, AscMessages.MSG_RX_DOORBELL | kernel.readInt(initData));
            } else if (m.endpoint() == AscMessages.EP_DOORBELL && type == AscMessages.MSG_TX_DOORBELL
                    && AscMessages.argument(m.payload()) == AscMessages.DOORBELL_KICKFW) {
                long d = initData + 8;
                ComputeDispatch dispatch = new ComputeDispatch(kernel.readInt(d), kernel.readLong(d + 8),
                        kernel.readLong(d + 16), kernel.readInt(d + 24), kernel.readInt(d + 28), 1, 1, kernel.readInt(d + 32), 1, 1);
                DispatchResult result = ctx.compute().dispatch(dispatch).join();
                ctx.send(AscMessages.EP_FIRMWARE, AscMessages.MSG_RX_DOORBELL | 0x100 | result.status().ordinal());
            } else if (m.endpoint() == AscMessages.EP_FIRMWARE && type == AscMessages.MSG_HALT) {
                return;
            }
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        gpu = new ComputeHarness();
        asc = gpu.machine.silicon.asc();
        long kernelRoot = gpu.machine.newTable();
        gpu.machine.bind(0, gpu.machine.newTable(), kernelRoot);
        kernelPage = gpu.machine.allocate(16384);
        gpu.machine.map(kernelRoot, KERNEL_VA, kernelPage, UatProt.FW_SHARED_RW);
        asc.setReceiver(fromFirmware::add);
    }

    @AfterEach
    void tearDown() {
        gpu.close();
    }

    private void cpuRun(boolean run) {
        gpu.machine.silicon.mmio().write32(MmioRegion.ASC, AgxRegisters.CPU_CONTROL, run ? AgxRegisters.CPU_RUN : 0);
    }

    private void send(int endpoint, long payload) throws InterruptedException {
        assertTrue(asc.send(new MailboxMessage(endpoint, payload), Duration.ofSeconds(5)));
    }

    private MailboxMessage next() throws InterruptedException {
        MailboxMessage m = fromFirmware.poll(10, TimeUnit.SECONDS);
        assertNotNull(m, "the firmware answered");
        return m;
    }

    @Test
    void cpuRunBootsTheFirmwareWhichReadsMemoryThroughTheKernelContextAndRingsBack() throws Exception {
        kernelPage.memory().set(ValueLayout.JAVA_INT, 0, 0xbeef);
        asc.load(TOY_FIRMWARE);
        assertEquals(Asc.State.STOPPED, asc.state());
        cpuRun(true);
        assertEquals(Asc.State.RUNNING, asc.state());
        send(AscMessages.EP_FIRMWARE, AscMessages.init(KERNEL_VA));
        MailboxMessage answer = next();
        assertEquals(AscMessages.EP_FIRMWARE, answer.endpoint());
        assertEquals(AscMessages.MSG_RX_DOORBELL | 0xbeef, answer.payload());
        send(AscMessages.EP_FIRMWARE, AscMessages.MSG_HALT);
        assertEquals(Asc.State.HALTED, asc.awaitStop(Duration.ofSeconds(10)));
        assertThrows(IllegalStateException.class, () -> {
            asc.load(TOY_FIRMWARE);
            cpuRun(true);
            asc.load(TOY_FIRMWARE);
        }, "no new image while running");
    }

    @Test
    void theFirmwareDrivesTheComputeUnit() throws Exception {
        Buffer in = gpu.buffer(4 * 64);
        Buffer out = gpu.buffer(4 * 64);
        for (int i = 0; i < 64; i++) {
            in.setInt(i, i * 3);
        }
        long program = gpu.program("""
                sr r0, gid.x
                ld r1, u0, r0
                iadd r1, r1, #1
                st r1, u1, r0
                stop
                """);
        Buffer uniforms = gpu.buffer(16);
        uniforms.memory().setAtIndex(ValueLayout.JAVA_LONG, 0, in.va());
        uniforms.memory().setAtIndex(ValueLayout.JAVA_LONG, 1, out.va());
        var k = kernelPage.memory();
        k.set(ValueLayout.JAVA_INT, 8, ComputeHarness.SLOT);
        k.set(ValueLayout.JAVA_LONG_UNALIGNED, 16, program);
        k.set(ValueLayout.JAVA_LONG_UNALIGNED, 24, uniforms.va());
        k.set(ValueLayout.JAVA_INT, 32, 2);
        k.set(ValueLayout.JAVA_INT, 36, 2);
        k.set(ValueLayout.JAVA_INT, 40, 32);
        asc.load(TOY_FIRMWARE);
        cpuRun(true);
        send(AscMessages.EP_FIRMWARE, AscMessages.init(KERNEL_VA));
        next();
        send(AscMessages.EP_DOORBELL, AscMessages.doorbell(AscMessages.DOORBELL_KICKFW));
        assertEquals(AscMessages.MSG_RX_DOORBELL | 0x100 | DispatchResult.Status.COMPLETED.ordinal(), next().payload());
        assertEquals(63 * 3 + 1, out.getInt(63));
    }

    @Test
    void clearingCpuRunStopsAndACrashIsReported() throws Exception {
        asc.load(TOY_FIRMWARE);
        cpuRun(true);
        cpuRun(false);
        assertEquals(Asc.State.STOPPED, asc.state());
        cpuRun(true);
        send(0x7f, 1);
        assertEquals(Asc.State.CRASHED, asc.awaitStop(Duration.ofSeconds(10)));
        assertEquals(new MailboxMessage(AscMessages.EP_CRASHLOG, 0), next());
    }

    @Test
    void messagesWaitForAReceiverAndAFullFifoPushesBack() throws Exception {
        asc.setReceiver(null);
        asc.load(ctx -> {
            ctx.send(AscMessages.EP_FIRMWARE, AscMessages.MSG_RX_DOORBELL | 1);
            ctx.send(AscMessages.EP_FIRMWARE, AscMessages.MSG_RX_DOORBELL | 2);
        });
        cpuRun(true);
        assertEquals(Asc.State.HALTED, asc.awaitStop(Duration.ofSeconds(10)));
        assertNull(fromFirmware.poll(100, TimeUnit.MILLISECONDS));
        asc.setReceiver(fromFirmware::add);
        assertEquals(AscMessages.MSG_RX_DOORBELL | 1, next().payload());
        assertEquals(AscMessages.MSG_RX_DOORBELL | 2, next().payload());

        for (int i = 0; i < Asc.FIFO_DEPTH; i++) {
            send(AscMessages.EP_DOORBELL, i);
        }
        assertFalse(asc.send(new MailboxMessage(AscMessages.EP_DOORBELL, 99), Duration.ofMillis(50)));
    }

    @Test
    void aWakeEndsAWaitingReceiveAndTheFirmwareSeesTheHandoffRegion() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicReference<AscContext> firmware = new java.util.concurrent.atomic.AtomicReference<>();
        asc.load(ctx -> {
            ctx.region(kiln.agx.api.silicon.ReservedRegion.HANDOFF).set(ValueLayout.JAVA_LONG, 8, 0x4b1d);
            try {
                ctx.region("nowhere");
                seen.add("no such region accepted");
            } catch (IllegalArgumentException expected) {
                firmware.set(ctx);
            }
            seen.add("waiting");
            MailboxMessage m = ctx.receive(30, TimeUnit.SECONDS);
            seen.add(m == null ? "woken" : "message " + m);
            MailboxMessage queued = ctx.receive(0, TimeUnit.SECONDS);
            seen.add("then " + (queued == null ? "nothing" : "message"));
        });
        cpuRun(true);
        assertEquals("waiting", seen.poll(10, TimeUnit.SECONDS));
        var handoff = gpu.machine.memory.frame(gpu.machine.silicon.reservedRegion(kiln.agx.api.silicon.ReservedRegion.HANDOFF)
                .physicalAddress());
        assertEquals(0x4b1d, handoff.get(ValueLayout.JAVA_LONG, 8), "written through the firmware's own mapping");
        Thread.sleep(50);
        firmware.get().wake(); // from another thread, as a unit's completion does
        firmware.get().wake(); // a second interrupt adds no message: the next receive still finds none
        assertEquals("woken", seen.poll(10, TimeUnit.SECONDS), "the wake ended the 30 s wait");
        assertEquals("then nothing", seen.poll(10, TimeUnit.SECONDS));
        assertEquals(Asc.State.HALTED, asc.awaitStop(Duration.ofSeconds(10)));
    }

    @Test
    void initCarriesAKernelAddressIn44Bits() {
        long message = AscMessages.init(0xffff_ffa0_1234_5000L);
        assertEquals(AscMessages.MSG_INIT, AscMessages.type(message));
        assertEquals(0xfa0_1234_5000L, message & AscMessages.INIT_ADDRESS_MASK);
        assertEquals(0xffff_ffa0_1234_5000L, AscMessages.initAddress(message));
        assertEquals(AscMessages.MSG_TX_DOORBELL | 0x11, AscMessages.doorbell(AscMessages.DOORBELL_DEVCTRL));
    }
}
