package kiln.itest;

import static kiln.agx.api.uapi.AsahiUapi.*;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

import kiln.agx.api.silicon.ControlStreams;
import kiln.agx.api.uapi.UapiStruct;
import kiln.agx.client.drm.AsahiDevice;
import kiln.agx.client.drm.AsahiDevice.Compute;
import kiln.agx.client.drm.AsahiDevice.Sync;
import kiln.agx.client.ksa.Assembler;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.ClientFactory;
import kiln.drm.api.device.DrmDevice;

/**
 * Compute through the whole UAPI, on both default devices: objects bound into a VM, a queue, a
 * submission with an out-sync, the firmware running the kernel, the out-sync signalling, the
 * result buffer filled; a kernel that stores to unmapped memory gets FAULT with the fault's
 * details while another client's work completes; the submission checks with their errnos.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AsahiSubmitIT extends KilnTestBase {
    private static final long PAGE = 16384;
    private Client client;

    private java.util.Map<String, String> resources;

    @Before
    public void spawn() throws Exception {
        resources = baselineResources();
        client = service(ClientFactory.class).spawn("submit-it", false);
    }

    /** Whatever the jobs held, faulted or not, is released with the client. */
    @After
    public void exit() throws Exception {
        client.exit();
        awaitResourcesBackTo(resources);
    }

    private String node(String device) throws Exception {
        return (String) asahiDevice(device).getProperty(DrmDevice.RENDER_NODE);
    }

    private void assertSquaresComputed(String device) throws Exception {
        UapiSetup s = new UapiSetup(client, node(device), QUEUE_CAP_COMPUTE);
        long[] in = s.buffer(4 * 1024);
        long[] out = s.buffer(4 * 1024);
        for (int i = 0; i < 1024; i++) {
            client.memory().writeInt(in[1] + 4L * i, i);
        }
        long[] enc = s.encoder(s.program(Kernels.SQUARE_PLUS), 1024, in[0], out[0]);
        long[] result = s.buffer(PAGE);
        int done = s.dev.syncobjCreate(0);
        s.dev.submit(s.queue, List.of(), List.of(Sync.binary(done)), List.of(Compute.of(enc[0], enc[1]).withResult(64)),
                (int) result[2]);
        s.dev.syncobjWait(new int[] {done}, System.nanoTime() + TimeUnit.SECONDS.toNanos(20), 0);
        for (int i = 0; i < 1024; i += 37) {
            assertEquals(device + " [" + i + "]", i * i + 7, client.memory().readInt(out[1] + 4L * i));
        }
        UapiStruct r = UapiStruct.RESULT_COMPUTE;
        assertEquals(STATUS_COMPLETE, client.memory().readInt(result[1] + 64 + r.offset("info", "status")));
        long start = client.memory().readLong(result[1] + 64 + r.offset("ts_start"));
        long end = client.memory().readLong(result[1] + 64 + r.offset("ts_end"));
        assertTrue(start + ".." + end, start > 0 && end >= start);
    }

    @Test
    public void computeRunsOnTheG13() throws Exception {
        assertSquaresComputed("t8103");
    }

    @Test
    public void computeRunsOnTheG14() throws Exception {
        assertSquaresComputed("t8112");
    }

    @Test
    public void aHungJobTimesOutAndTheQueueGoesOn() throws Exception {
        Configuration device = declareDevice("watchdog", "apple,agx-t8103", "hang.timeout.ms", 300);
        try {
            UapiSetup s = new UapiSetup(client, node("watchdog"), QUEUE_CAP_COMPUTE);
            long[] hang = s.encoder(s.program("""
                    loop
                    iadd r1, r1, #1
                    endloop
                    stop
                    """), 1);
            long[] in = s.buffer(4 * 64);
            long[] out = s.buffer(4 * 64);
            client.memory().writeInt(in[1] + 4 * 5, 3);
            long[] good = s.encoder(s.program(Kernels.SQUARE_PLUS), 64, in[0], out[0]);
            long[] result = s.buffer(PAGE);
            int done = s.dev.syncobjCreate(0);
            s.dev.submit(s.queue, List.of(), List.of(), List.of(Compute.of(hang[0], hang[1]).withResult(0)), (int) result[2]);
            s.dev.submit(s.queue, List.of(), List.of(Sync.binary(done)), List.of(Compute.of(good[0], good[1]).withResult(64)),
                    (int) result[2]);
            s.dev.syncobjWait(new int[] {done}, System.nanoTime() + TimeUnit.SECONDS.toNanos(20), 0);
            UapiStruct r = UapiStruct.RESULT_COMPUTE;
            assertEquals("the hung job", STATUS_TIMEOUT, client.memory().readInt(result[1] + r.offset("info", "status")));
            assertEquals("the next job", STATUS_COMPLETE, client.memory().readInt(result[1] + 64 + r.offset("info", "status")));
            assertEquals(16, client.memory().readInt(out[1] + 4 * 5));
        } finally {
            device.delete();
        }
    }

    @Test
    public void aFaultingJobGetsItsFaultAndOthersComplete() throws Exception {
        UapiSetup bad = new UapiSetup(client, node("t8103"), QUEUE_CAP_COMPUTE);
        Client other = service(ClientFactory.class).spawn("bystander", false);
        try {
            long[] in = bad.buffer(4 * 64);
            long unmapped = 0x40_0000_0000L;
            long[] enc = bad.encoder(bad.program(Kernels.SQUARE_PLUS), 64, in[0], unmapped);
            long[] result = bad.buffer(PAGE);
            int done = bad.dev.syncobjCreate(0);
            bad.dev.submit(bad.queue, List.of(), List.of(Sync.binary(done)), List.of(Compute.of(enc[0], enc[1]).withResult(0)),
                    (int) result[2]);

            Client mine = client;
            client = other;
            UapiSetup good = new UapiSetup(client, node("t8103"), QUEUE_CAP_COMPUTE);
            long[] gin = good.buffer(4 * 64);
            long[] gout = good.buffer(4 * 64);
            client.memory().writeInt(gin[1] + 4 * 5, 3);
            long[] genc = good.encoder(good.program(Kernels.SQUARE_PLUS), 64, gin[0], gout[0]);
            int gdone = good.dev.syncobjCreate(0);
            good.dev.submit(good.queue, List.of(), List.of(Sync.binary(gdone)), List.of(Compute.of(genc[0], genc[1])), 0);
            good.dev.syncobjWait(new int[] {gdone}, System.nanoTime() + TimeUnit.SECONDS.toNanos(20), 0);
            assertEquals(16, client.memory().readInt(gout[1] + 4 * 5));
            client = mine;

            bad.dev.syncobjWait(new int[] {done}, System.nanoTime() + TimeUnit.SECONDS.toNanos(20), 0);
            UapiStruct r = UapiStruct.RESULT_COMPUTE;
            assertEquals(STATUS_FAULT, client.memory().readInt(result[1] + r.offset("info", "status")));
            assertEquals(FAULT_UNMAPPED, client.memory().readInt(result[1] + r.offset("info", "fault_type")));
            assertEquals("a store", 0, client.memory().readInt(result[1] + r.offset("info", "level")) >>> 8 & 0xff);
            long address = client.memory().readLong(result[1] + r.offset("info", "address"));
            assertTrue("the first store that faulted: 0x" + Long.toHexString(address),
                    address >= unmapped && address < unmapped + 4 * 64);

            // the device goes on
            assertSquaresComputed("t8103");
        } finally {
            other.exit();
        }
    }

    @Test
    public void submissionsAreChecked() throws Exception {
        UapiSetup s = new UapiSetup(client, node("t8103"), QUEUE_CAP_COMPUTE);
        long[] enc = s.encoder(s.program(Kernels.SQUARE_PLUS), 32, 0, 0);
        Compute c = Compute.of(enc[0], enc[1]);
        expect(Errno.ENOENT, () -> s.dev.submit(99, List.of(), List.of(), List.of(c), 0));
        expect(Errno.EINVAL, () -> s.dev.submit(s.queue, List.of(), List.of(), List.of(), 0));
        expect(Errno.ENOENT, () -> s.dev.submit(s.queue, List.of(Sync.binary(77)), List.of(), List.of(c), 0));
        expect(Errno.ENOENT, () -> s.dev.submit(s.queue, List.of(), List.of(), List.of(c), 99));
        expect(Errno.EINVAL, () -> s.dev.submit(s.queue, List.of(), List.of(), List.of(c.withResult(0)), 0));
        long[] small = s.buffer(PAGE);
        expect(Errno.EINVAL, () -> s.dev.submit(s.queue, List.of(), List.of(), List.of(c.withResult(PAGE - 8)), (int) small[2]));
        Compute future = new Compute(enc[0], enc[1], 0, BARRIER_NONE, 2, 0, 0);
        expect(Errno.EINVAL, () -> s.dev.submit(s.queue, List.of(), List.of(), List.of(future), 0));
        int empty = s.dev.syncobjCreate(0);
        expect(Errno.EINVAL, () -> s.dev.submit(s.queue, List.of(Sync.binary(empty)), List.of(), List.of(c), 0));
        expect(Errno.EINVAL, () -> s.dev.queueCreate(s.vm, QUEUE_CAP_COMPUTE, 4));
        expect(Errno.EINVAL, () -> s.dev.queueCreate(s.vm, 0, 0));
        expect(Errno.EINVAL, () -> s.dev.queueCreate(s.vm, 1 << 3, 0));
        expect(Errno.ENOENT, () -> s.dev.queueCreate(42, QUEUE_CAP_COMPUTE, 0));
        int q2 = s.dev.queueCreate(s.vm, QUEUE_CAP_COMPUTE, 0);
        s.dev.queueDestroy(q2);
        expect(Errno.ENOENT, () -> s.dev.queueDestroy(q2));
        // a chain: in-sync from the first submission's out-sync, timeline out-syncs
        int timeline = s.dev.syncobjCreate(0);
        int first = s.dev.syncobjCreate(0);
        s.dev.submit(s.queue, List.of(), List.of(Sync.binary(first)), List.of(c), 0);
        s.dev.submit(s.queue, List.of(Sync.binary(first)), List.of(Sync.timeline(timeline, 5)), List.of(c, c), 0);
        s.dev.syncobjTimelineWait(timeline, 5, System.nanoTime() + TimeUnit.SECONDS.toNanos(20), AsahiDevice.SYNCOBJ_WAIT_FOR_SUBMIT);
    }
}
