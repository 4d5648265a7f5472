package kiln.itest;

import static kiln.agx.api.uapi.AsahiUapi.QUEUE_CAP_COMPUTE;
import static kiln.agx.api.uapi.AsahiUapi.STATUS_COMPLETE;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import kiln.agx.api.uapi.UapiStruct;
import kiln.agx.client.drm.AsahiDevice.Compute;
import kiln.agx.client.drm.AsahiDevice.Sync;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.ClientFactory;
import kiln.drm.api.device.DrmDevice;

/**
 * Stopping a GPU core bundle unplugs its devices as {@code drm_dev_unplug} does: the work they
 * had fails with ENODEV (the job on the GPU and the jobs still queued behind it), every ioctl but
 * close answers ENODEV, the device service goes, clients release what they hold; the other
 * generation's device goes on untouched; starting the bundle again probes a fresh device.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotUnplugIT extends KilnTestBase {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final long STRIDE = 64;

    private static int status(Client c, long results, int index) throws Exception {
        return c.memory().readInt(results + STRIDE * index + UapiStruct.RESULT_COMPUTE.offset("info", "status"));
    }

    @Test
    public void stoppingTheG13CoreUnplugsItsDeviceOnly() throws Exception {
        String m1 = (String) asahiDevice("t8103").getProperty(DrmDevice.RENDER_NODE);
        String m2 = (String) asahiDevice("t8112").getProperty(DrmDevice.RENDER_NODE);
        Client client = service(ClientFactory.class).spawn("unplugged", false);
        Client bystander = service(ClientFactory.class).spawn("bystander", false);
        Bundle g13 = bundle("agx.g13");
        try {
            UapiSetup s = new UapiSetup(client, m1, QUEUE_CAP_COMPUTE);
            long[] count = s.buffer(4);
            long[] mark = s.buffer(4);
            client.memory().writeInt(count[1], 50_000_000);
            long[] spin = s.encoder(s.program(Kernels.SPIN), 1, count[0], mark[0]);
            long[] results = s.buffer(STRIDE * 4);
            int done = s.dev.syncobjCreate(0);
            for (int i = 0; i < 4; i++) {
                s.dev.submit(s.queue, List.of(), i == 3 ? List.of(Sync.binary(done)) : List.of(),
                        List.of(Compute.of(spin[0], spin[1]).withResult(STRIDE * i)), (int) results[2]);
            }

            g13.stop();
            // every ioctl but close answers ENODEV now, syncobj waits too: the results tell
            Await.until(LIMIT, () -> status(client, results[1], 0), v -> v != 0, "the running job's result");
            assertEquals("the job on the GPU", 6 /* NO_DEVICE */, status(client, results[1], 0));
            for (int i = 1; i < 4; i++) {
                assertTrue("queued job " + i + " never ran: " + status(client, results[1], i),
                        status(client, results[1], i) == 0 || status(client, results[1], i) == 6);
            }
            assertEquals("no job finished its loop", 0, client.memory().readInt(mark[1]));
            for (String ioctl : List.of("VM_CREATE", "SYNCOBJ_WAIT")) {
                try {
                    if (ioctl.equals("VM_CREATE")) {
                        s.dev.vmCreate();
                    } else {
                        s.dev.syncobjWait(new int[] {done}, System.nanoTime(), 0);
                    }
                    throw new AssertionError(ioctl + " on an unplugged device must fail");
                } catch (DrmException e) {
                    assertEquals(ioctl, Errno.ENODEV, e.errno());
                }
            }
            assertTrue(context.getServiceReferences(DrmDevice.class, "(" + DrmDevice.RENDER_NODE + "=" + m1 + ")") == null
                    || context.getServiceReferences(DrmDevice.class, "(" + DrmDevice.RENDER_NODE + "=" + m1 + ")").isEmpty());
            s.dev.close();

            // the G14 device is untouched
            UapiSetup b = new UapiSetup(bystander, m2, QUEUE_CAP_COMPUTE);
            long[] in = b.buffer(4 * 32);
            long[] out = b.buffer(4 * 32);
            bystander.memory().writeInt(in[1] + 4 * 5, 3);
            long[] enc = b.encoder(b.program(Kernels.SQUARE_PLUS), 32, in[0], out[0]);
            long[] res = b.buffer(STRIDE);
            int bdone = b.dev.syncobjCreate(0);
            b.dev.submit(b.queue, List.of(), List.of(Sync.binary(bdone)), List.of(Compute.of(enc[0], enc[1]).withResult(0)),
                    (int) res[2]);
            b.dev.syncobjWait(new int[] {bdone}, System.nanoTime() + TimeUnit.SECONDS.toNanos(20), 0);
            assertEquals(STATUS_COMPLETE, status(bystander, res[1], 0));
            assertEquals(16, bystander.memory().readInt(out[1] + 4 * 5));
        } finally {
            RuntimeException exiting = null;
            for (Client c : List.of(client, bystander)) {
                try {
                    c.exit(); // closing files on an unplugged device must work
                } catch (RuntimeException e) {
                    exiting = e;
                }
            }
            if (g13.getState() != Bundle.ACTIVE) {
                g13.start();
            }
            if (exiting != null) {
                throw new AssertionError("a client's exit failed", exiting);
            }
        }
        String gem = Await.until(LIMIT, () -> Shell.run(context, "drm:gem"), t -> t.contains("(none)"), "every GEM object freed");
        assertFalse(gem, gem.contains(m1));
        // a fresh device once the core is back
        asahiDevice("t8103");
        String devices = Await.until(LIMIT, () -> Shell.run(context, "agx:devices"),
                t -> t.lines().anyMatch(l -> l.startsWith("t8103 ") && l.contains("RUNNING")), "t8103 probed again");
        assertTrue(devices, devices.lines().anyMatch(l -> l.startsWith("t8112 ") && l.contains("RUNNING")));
    }

    /**
     * Each core bundle in turn is stopped and started under {@code agx:load} on both devices: the
     * unplugged device's load loses nothing (what it had outstanding fails with the device), the
     * other device's load never notices, the fresh device probed on restart takes a new load
     * without a failure; afterwards Kiln's threads and the devices' resources are what they were.
     */
    @Test
    public void eachCoreUnpluggedAndReplugedUnderLoadLosesNothing() throws Exception {
        var resources = baselineResources();
        var threads = kilnThreads();
        for (String[] core : new String[][] {{"agx.g13", "t8103", "t8112"}, {"agx.g14", "t8112", "t8103"}}) {
            String gone = core[1];
            String other = core[2];
            Bundle bundle = bundle(core[0]);
            Shell.run(context, "agx:load --device " + gone + " --clients 2 start");
            Shell.run(context, "agx:load --device " + other + " --clients 1 start");
            for (String d : List.of(gone, other)) {
                Await.until(LIMIT, () -> status(d), st -> field(st, "completed") > 50, d + "'s load running");
            }
            bundle.stop();
            try {
                Await.until(LIMIT, () -> Shell.run(context, "agx:devices"),
                        t -> t.lines().noneMatch(l -> l.startsWith(gone + " ") && l.contains("RUNNING")), gone + " unplugged");
                long otherBefore = field(status(other), "completed");
                Await.until(LIMIT, () -> status(other), st -> field(st, "completed") > otherBefore + 20,
                        other + " working on while " + gone + " is unplugged");
                String unplugged = row(Shell.run(context, "agx:load --json --device " + gone + " stop"), gone);
                System.out.println("HotUnplugIT " + core[0] + " unplugged: " + unplugged);
                assertEquals(unplugged, 0, field(unplugged, "lost"));
                assertEquals(unplugged, field(unplugged, "submitted"),
                        field(unplugged, "completed") + field(unplugged, "failed"));
                assertFalse("only failures with the device (NO_DEVICE): " + unplugged, unplugged.matches(".*status [0-57-9].*"));
            } finally {
                bundle.start();
            }
            asahiDevice(gone);
            Await.until(LIMIT, () -> Shell.run(context, "agx:devices"),
                    t -> t.lines().anyMatch(l -> l.startsWith(gone + " ") && l.contains("RUNNING")), gone + " probed again");
            Shell.run(context, "agx:load --device " + gone + " --clients 1 start");
            Await.until(LIMIT, () -> status(gone), st -> field(st, "completed") > 50, "a load on the fresh " + gone);
            for (String d : List.of(gone, other)) {
                String done = row(Shell.run(context, "agx:load --json --device " + d + " stop"), d);
                assertEquals(done, 0, field(done, "lost"));
                assertEquals(done, 0, field(done, "failed"));
            }
        }
        awaitThreadsBackTo(threads);
        awaitResourcesBackTo(resources);
        Await.until(LIMIT, () -> Shell.run(context, "drm:gem"), t -> t.contains("(none)"), "every GEM object freed");
    }
}
