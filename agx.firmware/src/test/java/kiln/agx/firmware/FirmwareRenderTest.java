package kiln.agx.firmware;

import static kiln.agx.api.firmware.AbiType.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import kiln.agx.api.firmware.MicroOp;
import kiln.agx.api.firmware.PipeType;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.silicon.Attachment;
import kiln.agx.api.silicon.ControlStreams;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.api.silicon.FragmentJob;
import kiln.agx.api.silicon.RenderFormats;
import kiln.agx.api.silicon.TilerJob;
import kiln.agx.silicon.ComputeHarness;
import kiln.agx.silicon.ComputeHarness.Buffer;

/**
 * Renders through the firmware: a vertex command in the vertex queue, a barrier and a fragment
 * command in the fragment queue, sharing a TVB heap. The image equals the one the units produce
 * when driven directly, with a roomy heap and with one so small the firmware has to render
 * partially many times; two renders queued back to back on one heap both come out right.
 */
class FirmwareRenderTest {
    private static final int W = 96, H = 64, TRIANGLES = 400;
    private static final int CLEAR = 0xff20_1008;
    private static final int DEPTH_CLEAR = Float.floatToRawIntBits(1.0f);

    /** The scene and its render targets in the user VM. */
    private static final class Target {
        final Buffer vertices, draws, tileMap, heap, color, depth;

        Target(TestDriver d, long heapBytes) throws Exception {
            vertices = d.user.buffer((long) TRIANGLES * 3 * RenderFormats.VERTEX_BYTES);
            Random random = new Random(42);
            for (int v = 0; v < TRIANGLES * 3; v++) {
                long at = (long) v * RenderFormats.VERTEX_BYTES;
                float[] vertex = {random.nextFloat() * 2.2f - 1.1f, random.nextFloat() * 2.2f - 1.1f, random.nextFloat(), 1,
                        random.nextFloat(), random.nextFloat(), random.nextFloat(), 1};
                for (int i = 0; i < 8; i++) {
                    vertices.memory().set(ValueLayout.JAVA_FLOAT_UNALIGNED, at + 4L * i, vertex[i]);
                }
            }
            // two draws: the first 150 triangles, then the rest
            draws = d.user.buffer(2L * ControlStreams.VERTEX_DRAW_BYTES);
            draw(0, vertices.va(), 150);
            draw(1, vertices.va() + 150L * 3 * RenderFormats.VERTEX_BYTES, TRIANGLES - 150);
            tileMap = d.user.buffer(RenderFormats.tileMapBytes(W, H));
            heap = d.user.buffer(heapBytes);
            color = d.user.buffer(4L * W * H);
            depth = d.user.buffer(4L * W * H);
        }

        private void draw(int index, long va, int triangles) {
            long at = (long) index * ControlStreams.VERTEX_DRAW_BYTES;
            draws.memory().set(ValueLayout.JAVA_LONG_UNALIGNED, at + ControlStreams.DRAW_VERTICES, va);
            draws.memory().set(ValueLayout.JAVA_INT_UNALIGNED, at + ControlStreams.DRAW_TRIANGLES, triangles);
        }

        byte[] pixels() {
            return color.memory().asSlice(0, 4L * W * H).toArray(ValueLayout.JAVA_BYTE);
        }

        byte[] depths() {
            return depth.memory().asSlice(0, 4L * W * H).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** The units driven directly, as the reference image. */
    private static Target reference(TestDriver d) throws Exception {
        Target t = new Target(d, 1 << 20);
        var silicon = d.user.machine.silicon;
        int slot = ComputeHarness.SLOT;
        assertTrue(silicon.tiler().bin(new TilerJob(slot, t.vertices.va(), 0, 0, 150, W, H, t.tileMap.va(), t.heap.va(),
                1 << 20, true)).get(20, TimeUnit.SECONDS).result().status() == DispatchResult.Status.COMPLETED);
        assertTrue(silicon.tiler().bin(new TilerJob(slot, t.vertices.va() + 150L * 3 * RenderFormats.VERTEX_BYTES, 0, 0,
                TRIANGLES - 150, W, H, t.tileMap.va(), t.heap.va(), 1 << 20, false)).get(20, TimeUnit.SECONDS).result()
                .status() == DispatchResult.Status.COMPLETED);
        DispatchResult r = silicon.fragment().render(new FragmentJob(slot, W, H, t.tileMap.va(), t.heap.va(),
                Attachment.cleared(t.color.va(), 4 * W, CLEAR),
                new Attachment(t.depth.va(), 4 * W, Attachment.Layout.LINEAR, false, DEPTH_CLEAR, true)))
                .get(20, TimeUnit.SECONDS);
        assertEquals(DispatchResult.Status.COMPLETED, r.status());
        return t;
    }

    /** Queues one render of {@code t} through the firmware; the buffer-manager info it used. */
    private static void render(TestDriver d, Target t, long bufferInfo, TestDriver.Queue vertexQueue,
            TestDriver.Queue fragmentQueue, int value) throws Exception {
        int vslot = vertexQueue.eventSlot;
        int fslot = fragmentQueue.eventSlot;
        long ts = d.alloc(TIMESTAMPS);

        long frag = d.alloc(RUN_FRAGMENT);
        d.set(RUN_FRAGMENT, "tag", frag, 1);
        d.set(RUN_FRAGMENT, "vm_slot", frag, ComputeHarness.SLOT);
        d.set(RUN_FRAGMENT, "buffer", frag, bufferInfo);
        long fjp = d.inner(RUN_FRAGMENT, "job_params1", frag);
        d.set(JOB_PARAMETERS_1_FRAGMENT, "fb_width", fjp, W);
        d.set(JOB_PARAMETERS_1_FRAGMENT, "fb_height", fjp, H);
        d.set(JOB_PARAMETERS_1_FRAGMENT, "tvb_tilemap", fjp, t.tileMap.va());
        d.set(JOB_PARAMETERS_1_FRAGMENT, "color_buffer", fjp, t.color.va());
        d.set(JOB_PARAMETERS_1_FRAGMENT, "color_stride", fjp, 4 * W);
        d.set(JOB_PARAMETERS_1_FRAGMENT, "color_ctrl", fjp, 4); // store, clear
        d.set(JOB_PARAMETERS_1_FRAGMENT, "color_clear", fjp, CLEAR & 0xffff_ffffL);
        d.set(JOB_PARAMETERS_1_FRAGMENT, "zls_ctrl", fjp, 1 | 8); // depth, store, clear
        d.set(JOB_PARAMETERS_1_FRAGMENT, "depth_buffer_ptr1", fjp, t.depth.va());
        d.set(JOB_PARAMETERS_1_FRAGMENT, "depth_stride", fjp, 4 * W);
        d.set(JOB_PARAMETERS_1_FRAGMENT, "depth_clear_value", fjp, DEPTH_CLEAR);
        d.set(JOB_PARAMETERS_1_FRAGMENT, "unk_58_g14_0", fjp, 0x4040404); // G14 only
        d.jobMeta(d.inner(RUN_FRAGMENT, "job_meta", frag), fslot, value);
        long[] fms = d.standardMicrosequence(MicroOp.START_FRAGMENT, MicroOp.FINALIZE_FRAGMENT, MicroOp.PIPE_FRAGMENT, ts);
        d.set(MS_START_FRAGMENT, "job_params1", fms[0], fjp);
        d.set(MS_START_FRAGMENT, "job_params2", fms[0], d.inner(RUN_FRAGMENT, "job_params2", frag));
        d.set(MS_START_FRAGMENT, "buffer", fms[0], bufferInfo);
        d.set(MS_START_FRAGMENT, "vm_slot", fms[0], ComputeHarness.SLOT);
        d.set(MS_FINALIZE_FRAGMENT, "fw_stamp", fms[4], d.fwStamp(fslot));
        d.set(MS_FINALIZE_FRAGMENT, "stamp_value", fms[4], value);
        d.set(RUN_FRAGMENT, "microsequence", frag, fms[0]);
        d.set(RUN_FRAGMENT, "microsequence_size", frag, fms[5] + d.abi.sizeOf(MS_RETIRE_STAMP) - fms[0]);

        long vtx = d.alloc(RUN_VERTEX);
        d.set(RUN_VERTEX, "tag", vtx, 0);
        d.set(RUN_VERTEX, "vm_slot", vtx, ComputeHarness.SLOT);
        d.set(RUN_VERTEX, "buffer", vtx, bufferInfo);
        long vjp = d.inner(RUN_VERTEX, "job_params1", vtx);
        long vjp2 = d.inner(RUN_VERTEX, "job_params2", vtx);
        d.set(JOB_PARAMETERS_1_VERTEX, "encoder", vjp, t.draws.va());
        d.set(JOB_PARAMETERS_2, "encoder_end", vjp2, t.draws.va() + 2L * ControlStreams.VERTEX_DRAW_BYTES);
        d.set(JOB_PARAMETERS_1_VERTEX, "fb_width", vjp, W);
        d.set(JOB_PARAMETERS_1_VERTEX, "fb_height", vjp, H);
        d.set(JOB_PARAMETERS_1_VERTEX, "tvb_tilemap", vjp, t.tileMap.va());
        d.set(JOB_PARAMETERS_1_VERTEX, "fragment_job_params", vjp, fjp);
        d.set(JOB_PARAMETERS_1_VERTEX, "tiling_control", vjp, 0xa041); // G13 only
        d.set(RUN_VERTEX, "fragment_stamp_slot", vtx, fslot);
        d.set(RUN_VERTEX, "fragment_stamp_value", vtx, value);
        d.jobMeta(d.inner(RUN_VERTEX, "job_meta", vtx), vslot, value);
        long[] vms = d.standardMicrosequence(MicroOp.START_VERTEX, MicroOp.FINALIZE_VERTEX, MicroOp.PIPE_VERTEX, ts);
        d.set(MS_START_VERTEX, "job_params1", vms[0], vjp);
        d.set(MS_START_VERTEX, "job_params2", vms[0], vjp2);
        d.set(MS_START_VERTEX, "buffer", vms[0], bufferInfo);
        d.set(MS_START_VERTEX, "vm_slot", vms[0], ComputeHarness.SLOT);
        d.set(MS_FINALIZE_VERTEX, "fw_stamp", vms[4], d.fwStamp(vslot));
        d.set(MS_FINALIZE_VERTEX, "stamp_value", vms[4], value);
        d.set(RUN_VERTEX, "microsequence", vtx, vms[0]);
        d.set(RUN_VERTEX, "microsequence_size", vtx, vms[5] + d.abi.sizeOf(MS_RETIRE_STAMP) - vms[0]);

        fragmentQueue.submit(d.barrier(vslot, value), frag);
        vertexQueue.submit(vtx);
    }

    private static long bufferInfo(TestDriver d, Target t, long blockBytes, int blocks) {
        long info = d.alloc(BUFFER_MGR_INFO);
        d.set(BUFFER_MGR_INFO, "heap_base", info, t.heap.va());
        d.set(BUFFER_MGR_INFO, "block_size", info, blockBytes);
        d.set(BUFFER_MGR_INFO, "block_count", info, blocks);
        return info;
    }

    @ParameterizedTest
    @MethodSource("kiln.agx.firmware.FirmwareComputeTest#pairs")
    void aRenderThroughTheFirmwareEqualsTheUnitsDrivenDirectlyWhateverTheHeap(GpuGen gen, String version) throws Exception {
        try (TestDriver d = FirmwareComputeTest.booted(gen, version)) {
            Target expected = reference(d);
            TestDriver.Queue vq = d.queue(PipeType.VERTEX, 0, 20);
            TestDriver.Queue fq = d.queue(PipeType.FRAGMENT, 0, 21);

            Target roomy = new Target(d, 1 << 20);
            long roomyInfo = bufferInfo(d, roomy, 1 << 17, 8);
            render(d, roomy, roomyInfo, vq, fq, 0x100);
            d.awaitStamp(21, 0x100);
            assertArrayEquals(expected.pixels(), roomy.pixels());
            assertArrayEquals(expected.depths(), roomy.depths());
            assertEquals(0, d.get(BUFFER_MGR_INFO, "partial_renders", roomyInfo));
            assertTrue(d.get(BUFFER_MGR_INFO, "used_bytes", roomyInfo) > RenderFormats.HEAP_HEADER_BYTES);

            // 4 KiB of heap: many partial renders, the same bytes
            Target tight = new Target(d, 1 << 18);
            long tightInfo = bufferInfo(d, tight, 1 << 12, 1);
            render(d, tight, tightInfo, vq, fq, 0x200);
            d.awaitStamp(21, 0x200);
            assertTrue(d.get(BUFFER_MGR_INFO, "partial_renders", tightInfo) > 3,
                    "partial renders: " + d.get(BUFFER_MGR_INFO, "partial_renders", tightInfo));
            assertEquals(d.get(BUFFER_MGR_INFO, "partial_renders", tightInfo), d.get(BUFFER_MGR_INFO, "overflows", tightInfo));
            assertArrayEquals(expected.pixels(), tight.pixels());
            assertArrayEquals(expected.depths(), tight.depths());

            // the driver grows the heap as the firmware's statistics ask (InitBuffer first in the vertex queue)
            long partials = d.get(BUFFER_MGR_INFO, "partial_renders", tightInfo);
            long init = d.alloc(INIT_BUFFER);
            d.set(INIT_BUFFER, "tag", init, 6);
            d.set(INIT_BUFFER, "vm_slot", init, ComputeHarness.SLOT);
            d.set(INIT_BUFFER, "buffer", init, tightInfo);
            d.set(INIT_BUFFER, "block_count", init, 64);
            vq.submit(init);
            tight.color.memory().fill((byte) 0);
            render(d, tight, tightInfo, vq, fq, 0x300);
            d.awaitStamp(21, 0x300);
            assertEquals(64, d.get(BUFFER_MGR_INFO, "block_count", tightInfo));
            assertEquals(partials, d.get(BUFFER_MGR_INFO, "partial_renders", tightInfo), "no partial render after growth");
            assertArrayEquals(expected.pixels(), tight.pixels());
        }
    }

    @ParameterizedTest
    @MethodSource("kiln.agx.firmware.FirmwareComputeTest#pairs")
    void twoRendersQueuedBackToBackOnOneHeapBothComeOutRight(GpuGen gen, String version) throws Exception {
        try (TestDriver d = FirmwareComputeTest.booted(gen, version)) {
            Target expected = reference(d);
            TestDriver.Queue vq = d.queue(PipeType.VERTEX, 1, 30);
            TestDriver.Queue fq = d.queue(PipeType.FRAGMENT, 1, 31);
            Target first = new Target(d, 1 << 16);
            Target second = new Target(d, 1 << 16);
            long info = bufferInfo(d, first, 1 << 16, 1);
            // both renders use the first target's heap (the buffer's): the second vertex pass must wait
            // for the first fragment pass before it may empty the heap
            render(d, first, info, vq, fq, 0x100);
            render(d, second, info, vq, fq, 0x200);
            d.awaitStamp(31, 0x200);
            assertArrayEquals(expected.pixels(), first.pixels());
            assertArrayEquals(expected.pixels(), second.pixels());
        }
    }
}
