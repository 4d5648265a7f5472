package kiln.agx.silicon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import kiln.agx.api.hw.AgxRegisters;
import kiln.agx.api.hw.FaultInfo;
import kiln.agx.api.hw.FaultReason;
import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.hw.UatProt;
import kiln.agx.api.isa.Instruction;
import kiln.agx.api.isa.Opcode;
import kiln.agx.api.silicon.ComputeDispatch;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.api.silicon.DispatchResult.Status;
import kiln.agx.api.silicon.MmioRegion;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.agx.silicon.ComputeHarness.Buffer;

/** Dispatch outcomes: faults, illegal programs, cancellation, power-off, and results independent of the chip and the host. */
class ComputeUnitTest {
    private static final String COPY_PLUS_ONE = """
            sr r0, gid.x
            ld r1, u0, r0
            iadd r1, r1, #1
            st r1, u1, r0
            stop
            """;

    private static final String HASH = """
            ; out[i] = a small integer hash of i, iterated (i % 37) times
            sr r0, gid.x
            mov r1, r0
            irem r2, r0, #37
            loop
              ile r3, r2, #0
              break r3
              imul r1, r1, #0x9e3779b1
              shr r4, r1, #15
              xor r1, r1, r4
              isub r2, r2, #1
            endloop
            i2f r5, r1
            fmul r5, r5, #0.25
            f2i r6, r5
            xor r1, r1, r6
            st r1, u0, r0
            stop
            """;

    @Test
    void aStoreToUnmappedMemoryFaultsTheDispatchWithTheCoresUnit() throws Exception {
        try (ComputeHarness gpu = new ComputeHarness()) {
            Buffer in = gpu.buffer(4 * 64);
            Buffer out = gpu.buffer(4 * 32);
            long program = gpu.program(COPY_PLUS_ONE);
            DispatchResult result = gpu.run1d(program, 4096 + 64, 64, in.va(), out.va());
            assertEquals(Status.FAULT, result.status());
            FaultInfo fault = result.fault();
            assertEquals(FaultReason.UNMAPPED, fault.reason());
            assertTrue(!fault.read() || fault.address() >= in.va() + 16384, fault.toString());
            assertEquals(ComputeHarness.SLOT, fault.vmSlot());
            assertEquals(1, fault.unit() & 0xf, "a USC load/store faults as UL1C: " + fault.unitName());
            assertNotNull(FaultInfo.decode(gpu.machine.silicon.mmio().read64(MmioRegion.SGX, AgxRegisters.FAULT_INFO)));
            assertTrue(result.endTicks() >= result.startTicks());
        }
    }

    @Test
    void aStoreToReadOnlyMemoryFaultsAndAProgramFetchFaultIsTheKernelStreamsUnit() throws Exception {
        try (ComputeHarness gpu = new ComputeHarness()) {
            Buffer in = gpu.buffer(4 * 32);
            Buffer readOnly = gpu.buffer(4 * 32, UatProt.GPU_SHARED_RO);
            DispatchResult ro = gpu.run1d(gpu.program(COPY_PLUS_ONE), 32, 32, in.va(), readOnly.va());
            assertEquals(Status.FAULT, ro.status());
            assertEquals(FaultReason.READ_ONLY, ro.fault().reason());
            assertEquals(readOnly.va(), ro.fault().address());
            assertEquals(0, readOnly.getInt(0));

            gpu.machine.silicon.mmio().write64(MmioRegion.SGX, AgxRegisters.FAULT_INFO, 0);
            DispatchResult fetch = gpu.run1d(0x11_7000_0000L, 32, 32);
            assertEquals(Status.FAULT, fetch.status());
            assertEquals("dCDM_KS0", fetch.fault().unitName());
            assertEquals(0x11_7000_0000L, fetch.fault().address());
        }
    }

    @Test
    void illegalProgramsFailBeforeAnyThreadRuns() throws Exception {
        try (ComputeHarness gpu = new ComputeHarness()) {
            Buffer out = gpu.buffer(4 * 32);
            long stop = new Instruction(Opcode.STOP, false, 0, 0, 0, 0).encode();
            long store = new Instruction(Opcode.ST, false, 0, 0, 0, 0).encode();
            List<long[]> illegal = List.of(
                    new long[] {store, 0x7fL, stop},                                                 // undefined opcode
                    new long[] {store, new Instruction(Opcode.MOV, false, 64, 0, 0, 0).encode(), stop}, // r64
                    new long[] {store, Opcode.IF.code() | 0x80L, stop},                              // immediate on if
                    new long[] {store, new Instruction(Opcode.ENDIF, false, 0, 0, 0, 0).encode(), stop},
                    new long[] {store, new Instruction(Opcode.BREAK, false, 0, 0, 0, 0).encode(), stop},
                    new long[] {store, new Instruction(Opcode.ELSE, false, 0, 0, 0, 0).encode(), stop});
            for (long[] words : illegal) {
                DispatchResult result = gpu.run1d(gpu.program(words), 32, 32, out.va());
                assertEquals(Status.ILLEGAL_PROGRAM, result.status(), result.detail());
                assertEquals(0, out.getInt(0), "nothing ran: " + result.detail());
            }
            DispatchResult misaligned = gpu.run1d(gpu.program("""
                    movi r0, #0
                    st r0, u0, r0, #2
                    stop
                    """), 32, 32, out.va());
            assertEquals(Status.ILLEGAL_PROGRAM, misaligned.status());
            assertTrue(misaligned.detail().contains("misaligned"), misaligned.detail());
            long program = gpu.program(COPY_PLUS_ONE);
            CompletableFuture<DispatchResult> tooBig = gpu.start(program, new long[0], 1, 1, 1, 2048, 1, 1);
            assertEquals(Status.ILLEGAL_PROGRAM, tooBig.get(10, TimeUnit.SECONDS).status());
        }
    }

    @Test
    void cancellingStopsARunawayKernelAndTheUnitStaysUsable() throws Exception {
        try (ComputeHarness gpu = new ComputeHarness()) {
            long forever = gpu.program("""
                    movi r0, #0
                    loop
                      iadd r0, r0, #1
                    endloop
                    stop
                    """);
            CompletableFuture<DispatchResult> runaway = gpu.start(forever, new long[0], 64, 1, 1, 32, 1, 1);
            Thread.sleep(50);
            assertTrue(!runaway.isDone());
            runaway.cancel(true);
            assertThrows(CancellationException.class, runaway::join);
            Buffer in = gpu.buffer(4 * 32);
            Buffer out = gpu.buffer(4 * 32);
            DispatchResult next = gpu.run1d(gpu.program(COPY_PLUS_ONE), 32, 32, in.va(), out.va());
            assertEquals(Status.COMPLETED, next.status(), "the workers came back");
            assertEquals(1, out.getInt(31));
        }
    }

    @Test
    void powerOffCancelsRunningWork() throws Exception {
        ComputeHarness gpu = new ComputeHarness();
        long forever = gpu.program("""
                loop
                endloop
                stop
                """);
        CompletableFuture<DispatchResult> running = gpu.start(forever, new long[0], 4, 1, 1, 32, 1, 1);
        Thread.sleep(20);
        gpu.close();
        assertEquals(Status.CANCELLED, running.get(10, TimeUnit.SECONDS).status());
        assertEquals(Status.CANCELLED, gpu.machine.silicon.compute()
                .dispatch(new ComputeDispatch(ComputeHarness.SLOT, forever, 0, 0, 1, 1, 1, 32, 1, 1))
                .get(10, TimeUnit.SECONDS).status(), "a powered-off unit runs nothing");
    }

    @Test
    void resultsAreTheSameBytesOnEveryChipAndWorkerCount() throws Exception {
        int threads = 5000;
        int[] reference = null;
        record Part(HwConfig hw, SiliconOptions options) {
        }
        List<Part> parts = List.of(
                new Part(TestMachine.SMALL, SiliconOptions.defaults().withHostWorkers(1)),
                new Part(TestMachine.SMALL, SiliconOptions.defaults().withHostWorkers(2).withCoreMasks(List.of(0x7f))),
                new Part(TestMachine.LARGE, SiliconOptions.defaults().withHostWorkers(3)),
                new Part(TestMachine.LARGE, SiliconOptions.defaults().withHostWorkers(2)
                        .withCoreMasks(List.of(0xff, 0x0f, 0xf0, 0x01, 0xff, 0xff, 0x80, 0x3c))));
        for (Part part : parts) {
            try (ComputeHarness gpu = new ComputeHarness(part.hw(), part.options())) {
                Buffer out = gpu.buffer(4L * threads);
                DispatchResult result = gpu.run1d(gpu.program(HASH), threads, 96, out.va());
                assertEquals(Status.COMPLETED, result.status(), result.detail());
                int[] values = new int[threads];
                for (int i = 0; i < threads; i++) {
                    values[i] = out.getInt(i);
                }
                if (reference == null) {
                    reference = values;
                } else {
                    assertArrayEquals(reference, values, part.toString());
                }
            }
        }
        int x = 4999;
        int h = x;
        for (int k = x % 37; k > 0; k--) {
            h *= 0x9e3779b1;
            h ^= h >>> 15;
        }
        h ^= (int) (((float) h) * 0.25f);
        assertEquals(h, reference[4999]);
    }

    @Test
    void timestampsTickAt24MHz() throws Exception {
        try (ComputeHarness gpu = new ComputeHarness()) {
            long t0 = gpu.machine.silicon.timestamp();
            long n0 = System.nanoTime();
            Thread.sleep(200);
            long t1 = gpu.machine.silicon.timestamp();
            long n1 = System.nanoTime();
            double expectedTicks = (n1 - n0) * 24e6 / 1e9;
            // the clocks are read a moment apart, and the machine may pause us in between: 2%
            assertEquals(expectedTicks, t1 - t0, expectedTicks * 0.02);
        }
    }

    @Test
    void dispatchRecordDescribesItsGrid() {
        ComputeDispatch d = new ComputeDispatch(1, 0, 0, 0, 3, 4, 5, 8, 4, 2);
        assertEquals(60, d.workgroups());
        assertEquals(64, d.workgroupThreads());
    }
}
