package kiln.itest;

import static kiln.agx.api.uapi.AsahiUapi.QUEUE_CAP_COMPUTE;
import static kiln.agx.api.uapi.AsahiUapi.QUEUE_CAP_RENDER;
import static kiln.agx.api.uapi.AsahiUapi.STATUS_COMPLETE;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import kiln.agx.api.uapi.UapiStruct;
import kiln.agx.client.drm.AsahiDevice.Compute;
import kiln.agx.client.drm.AsahiDevice.Sync;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.ClientFactory;
import kiln.drm.api.device.DrmDevice;

/**
 * Tearing down with work in flight, in the kernel's order: destroying a queue gives the jobs the
 * scheduler still holds the flush bound to reach the firmware and drops those that could not (they
 * never run, their fences signal), lets the firmware finish what it
 * already has, then has it forget the context and frees the queue's firmware memory, event slots
 * and VM use once; a client that exits with queues busy releases everything the same way. The
 * device's resources ({@code agx:resources}) come back to where they were.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AsahiTeardownIT extends KilnTestBase {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    /** The long spinning job's own run, on a loaded machine. */
    private static final Duration SPIN_LIMIT = Duration.ofSeconds(150);
    private static final int WAITING_JOBS = 16;

    /**
     * A device of its own whose firmware watchdog lets the long spinning job run: it must outlast
     * the flush a queue's destroy grants its queued jobs (Entity.FLUSH_TIMEOUT) even on a fast,
     * idle machine, and still finish on a loaded one.
     */
    private static final String DEVICE = "teardown";

    private String resources() throws Exception {
        return deviceResources().get(DEVICE);
    }

    private static int status(Client c, long resultCpu, int index) throws Exception {
        return c.memory().readInt(resultCpu + index * 64L + UapiStruct.RESULT_COMPUTE.offset("info", "status"));
    }

    private org.osgi.service.cm.Configuration device;

    @Before
    public void declare() throws Exception {
        device = declareDevice(DEVICE, "apple,agx-t8103", "hang.timeout.ms", 300_000);
    }

    @After
    public void detach() throws Exception {
        device.delete();
    }

    @Test
    public void destroyingBusyQueuesAndExitingReleaseEverythingOnce() throws Exception {
        String node = (String) asahiDevice(DEVICE).getProperty(DrmDevice.RENDER_NODE);
        String before = Await.until(LIMIT, this::resources, r -> r != null, DEVICE + " in agx:resources");
        Client client = service(ClientFactory.class).spawn("teardown", false);
        UapiSetup s = new UapiSetup(client, node, QUEUE_CAP_COMPUTE);
        long[] count = s.buffer(4);
        long[] out = s.buffer(4);
        // longer than the flush a queue's destroy grants its queued jobs (Entity.FLUSH_TIMEOUT)
        client.memory().writeInt(count[1], 10_000_000);
        long[] spin = s.encoder(s.program(Kernels.SPIN), 1, count[0], out[0]);
        long[] results = s.buffer(64L * (WAITING_JOBS + 1));
        int spinning = s.dev.syncobjCreate(0);
        s.dev.submit(s.queue, List.of(), List.of(Sync.binary(spinning)), List.of(Compute.of(spin[0], spin[1]).withResult(0)),
                (int) results[2]);

        // a second queue whose jobs wait in the scheduler for the spinning one
        int waitingQueue = s.dev.queueCreate(s.vm, QUEUE_CAP_COMPUTE, 2);
        long[] marks = s.buffer(4L * WAITING_JOBS);
        int lastWaiting = s.dev.syncobjCreate(0);
        List<long[]> encoders = new ArrayList<>();
        for (int i = 0; i < WAITING_JOBS; i++) {
            long[] one = s.buffer(4);
            client.memory().writeInt(one[1], 1);
            encoders.add(s.encoder(s.program(Kernels.SPIN), 1, one[0], marks[0] + 4L * i));
        }
        for (int i = 0; i < WAITING_JOBS; i++) {
            long[] e = encoders.get(i);
            s.dev.submit(waitingQueue, List.of(Sync.binary(spinning)),
                    i == WAITING_JOBS - 1 ? List.of(Sync.binary(lastWaiting)) : List.of(),
                    List.of(Compute.of(e[0], e[1]).withResult(64L * (i + 1))), (int) results[2]);
        }
        String busy = Shell.run(context, "agx:queues");
        assertTrue(busy, busy.contains("compute(slot"));
        assertFalse("two busy queues hold firmware memory, event slots and a VM slot", before.equals(resources()));

        s.dev.queueDestroy(waitingQueue);
        // their dependency did not signal within the flush: the dropped jobs' fences signal, the
        // wait ends although none of them ran
        s.dev.syncobjWait(new int[] {lastWaiting}, System.nanoTime() + TimeUnit.SECONDS.toNanos(20), 0);
        assertEquals("the spinning job is still on the firmware", 0, client.memory().readInt(out[1]));
        s.dev.queueDestroy(s.queue);
        s.dev.syncobjWait(new int[] {spinning}, System.nanoTime() + TimeUnit.SECONDS.toNanos(20), 0);

        // the firmware finished the job it had; the ones that waited never ran
        Await.until(SPIN_LIMIT, () -> client.memory().readInt(out[1]), v -> v == Kernels.SPIN_DONE, "the spinning job's store");
        Await.until(LIMIT, () -> status(client, results[1], 0), v -> v == STATUS_COMPLETE, "the spinning job's result");
        for (int i = 0; i < WAITING_JOBS; i++) {
            assertEquals("waiting job " + i + " ran", 0, client.memory().readInt(marks[1] + 4L * i));
            assertEquals("waiting job " + i + " has a result", 0, status(client, results[1], i + 1));
        }
        assertFalse(Shell.run(context, "agx:queues").contains("teardown"));

        // a second round: a client exits with a busy queue
        UapiSetup t = new UapiSetup(client, node, QUEUE_CAP_RENDER | QUEUE_CAP_COMPUTE); // with a TVB and three work queues
        long[] count2 = t.buffer(4);
        long[] out2 = t.buffer(4);
        client.memory().writeInt(count2[1], 1_000_000);
        long[] spin2 = t.encoder(t.program(Kernels.SPIN), 1, count2[0], out2[0]);
        for (int i = 0; i < 4; i++) {
            t.dev.submit(t.queue, List.of(), List.of(), List.of(Compute.of(spin2[0], spin2[1])), 0);
        }
        client.exit();

        Await.until(LIMIT, this::resources, before::equals, "the device's resources back to " + before);
        String gem = Shell.run(context, "drm:gem");
        assertTrue(gem, gem.contains("(none)"));
    }
}
