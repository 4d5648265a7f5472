package kiln.agx.firmware;

import static kiln.agx.api.firmware.AbiType.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.agx.api.firmware.FirmwareProtocol;
import kiln.agx.api.firmware.PipeType;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.silicon.ControlStreams;
import kiln.agx.silicon.ComputeHarness.Buffer;

/**
 * The firmware running hand-built compute command streams on the silicon, with no driver: for
 * every supported (generation, firmware), commands complete with the right stamps, flags,
 * timestamps and statistics, and barriers order work across queues.
 */
class FirmwareComputeTest {
    static Stream<Arguments> pairs() {
        return Stream.of(Arguments.of(GpuGen.G13, "12.3"), Arguments.of(GpuGen.G13, "13.2"), Arguments.of(GpuGen.G14, "13.2"));
    }

    static TestDriver booted(GpuGen gen, String version) throws Exception {
        TestDriver d = new TestDriver(gen, version);
        d.boot(new FirmwareRuntime(d.abi, "firmware " + version));
        return d;
    }

    /** An encoder of one launch of {@code program} over {@code threads} threads in groups of 32. */
    static long[] encoder(TestDriver d, long program, int threads, long... uniforms) throws Exception {
        Buffer u = d.user.buffer(8L * Math.max(1, uniforms.length));
        for (int i = 0; i < uniforms.length; i++) {
            u.memory().setAtIndex(ValueLayout.JAVA_LONG, i, uniforms[i]);
        }
        Buffer e = d.user.buffer(ControlStreams.COMPUTE_LAUNCH_BYTES);
        var s = e.memory();
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, ControlStreams.LAUNCH_PROGRAM, program);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, ControlStreams.LAUNCH_UNIFORMS, u.va());
        s.set(ValueLayout.JAVA_INT_UNALIGNED, ControlStreams.LAUNCH_UNIFORM_COUNT, uniforms.length);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, ControlStreams.LAUNCH_GRID, Math.max(1, threads / 32));
        s.set(ValueLayout.JAVA_INT_UNALIGNED, ControlStreams.LAUNCH_GRID + 4, 1);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, ControlStreams.LAUNCH_GRID + 8, 1);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, ControlStreams.LAUNCH_GROUP, Math.min(32, threads));
        s.set(ValueLayout.JAVA_INT_UNALIGNED, ControlStreams.LAUNCH_GROUP + 4, 1);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, ControlStreams.LAUNCH_GROUP + 8, 1);
        return new long[] {e.va(), e.va() + ControlStreams.COMPUTE_LAUNCH_BYTES};
    }

    static final String ADD_ONE = """
            sr r0, gid.x
            ld r1, u0, r0
            iadd r1, r1, #1
            st r1, u1, r0
            stop
            """;

    @ParameterizedTest
    @MethodSource("pairs")
    void computeCompletesWithItsStampFlagTimestampsAndStats(GpuGen gen, String version) throws Exception {
        try (TestDriver d = booted(gen, version)) {
            Buffer in = d.user.buffer(4 * 256);
            Buffer out = d.user.buffer(4 * 256);
            for (int i = 0; i < 256; i++) {
                in.setInt(i, i * 7);
            }
            long[] enc = encoder(d, d.user.program(ADD_ONE), 256, in.va(), out.va());
            long timestamps = d.alloc(TIMESTAMPS);
            int slot = 5;
            TestDriver.Queue q = d.queue(PipeType.COMPUTE, 2, slot);
            q.submit(d.compute(enc[0], enc[1], slot, 0x100, timestamps));
            d.awaitFlag(slot);
            assertEquals(0x100, d.stamp(slot), "RetireStamp wrote the driver's stamp");
            assertEquals(0x100, d.readInt(d.fwStamp(slot)), "FinalizeCompute wrote the firmware stamp");
            for (int i = 0; i < 256; i++) {
                assertEquals(i * 7 + 1, out.getInt(i));
            }
            long start = d.readLong(timestamps);
            long end = d.readLong(timestamps + 8);
            assertTrue(start > 0 && end >= start, "timestamps " + start + ".." + end);
            assertEquals(1, d.get(GPU_GLOBAL_STATS, "total_cmds", d.statsComp));
            assertEquals(1, q.doneptr(), "gpu_doneptr passed the command");
            assertTrue(d.diagnosis().contains("initialized"), d.diagnosis());
            long stats = d.runtimePointers + d.field(RUNTIME_POINTERS, "stats").offset();
            long sample = d.get(CHANNEL_RING, "ring", stats);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (d.get(CHANNEL_STATE, "write_ptr", d.get(CHANNEL_RING, "state", stats)) == 0) {
                assertTrue(System.nanoTime() < deadline, "a statistics sample when the GPU went idle");
                Thread.sleep(1);
            }
            assertEquals(FirmwareProtocol.STATS_SAMPLE, d.get(STATS_MSG, "msg_type", sample));
            assertEquals(1, d.get(STATS_MSG, "completed", sample));

            // a second submission on the same queue advances by one more step
            q.submit(d.compute(enc[0], enc[1], slot, 0x200, timestamps));
            d.awaitFlag(slot);
            assertEquals(0x200, d.stamp(slot));
            assertEquals(2, q.doneptr());
        }
    }

    @ParameterizedTest
    @MethodSource("pairs")
    void aBarrierHoldsItsQueueUntilTheOtherQueuesStampArrives(GpuGen gen, String version) throws Exception {
        try (TestDriver d = booted(gen, version)) {
            Buffer a = d.user.buffer(4 * 32);
            Buffer b = d.user.buffer(4 * 32);
            Buffer c = d.user.buffer(4 * 32);
            long program = d.user.program(ADD_ONE);
            long[] first = encoder(d, program, 32, a.va(), b.va()); // b = a + 1
            long[] second = encoder(d, program, 32, b.va(), c.va()); // c = b + 1, only right after first
            long ts = d.alloc(TIMESTAMPS);
            TestDriver.Queue producer = d.queue(PipeType.COMPUTE, 1, 1);
            TestDriver.Queue consumer = d.queue(PipeType.COMPUTE, 0, 2);
            consumer.submit(d.barrier(1, 0x100), d.compute(second[0], second[1], 2, 0x100, ts));
            Thread.sleep(100);
            assertEquals(0, d.stamp(2), "the consumer waits behind its barrier");
            assertEquals(0, consumer.doneptr());
            producer.submit(d.compute(first[0], first[1], 1, 0x100, ts));
            d.awaitStamp(2, 0x100);
            assertEquals(0x100, d.stamp(1));
            for (int i = 0; i < 32; i++) {
                assertEquals(2, c.getInt(i), "the consumer saw the producer's output");
            }
            assertEquals(2, consumer.doneptr(), "barrier and command both passed");
        }
    }

    @ParameterizedTest
    @MethodSource("pairs")
    void stampsWrapAround(GpuGen gen, String version) throws Exception {
        try (TestDriver d = booted(gen, version)) {
            Buffer a = d.user.buffer(4 * 32);
            long[] enc = encoder(d, d.user.program(ADD_ONE), 32, a.va(), a.va());
            long ts = d.alloc(TIMESTAMPS);
            TestDriver.Queue q = d.queue(PipeType.COMPUTE, 0, 9);
            int near = 0xffff_ff00;
            q.submit(d.compute(enc[0], enc[1], 9, near, ts));
            d.awaitFlag(9);
            TestDriver.Queue waiter = d.queue(PipeType.COMPUTE, 0, 10);
            // 0 is one step after 0xffffff00: the barrier is satisfied across the wrap
            d.writeInt(d.fwStamp(9), 0);
            waiter.submit(d.barrier(9, 0), d.compute(enc[0], enc[1], 10, 0x100, ts));
            d.awaitFlag(10);
            assertNotEquals(0, d.stamp(10));
            assertEquals(FirmwareProtocol.STAMP_STEP, d.stamp(10));
        }
    }
}
