package kiln.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * {@code agx:load} under everything issue 7 throws at a device: command swaps 12.3 <-> 13.2, the
 * firmware bundle going and coming back, an injected firmware crash. Afterwards no job is lost,
 * every one that completed has its exact output, the only failures are the jobs the crash hit,
 * Kiln's threads (the load's, the schedulers', the old firmwares') are gone and the device holds
 * what it held before.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LoadIT extends KilnTestBase {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final int SWAPS = Integer.getInteger("kiln.load.swaps", 100);

    private String status() throws Exception {
        return status("t8103");
    }

    @Test
    public void nothingIsLostUnderSwapsBundleChurnAndACrash() throws Exception {
        var resources = baselineResources();
        var threads = kilnThreads();
        String started = Shell.run(context, "agx:load --device t8103 --clients 2 start");
        assertTrue(started, started.startsWith("load started"));
        Await.until(LIMIT, this::status, s -> field(s, "completed") > 100, "the load running");

        for (int i = 0; i < SWAPS; i++) {
            Shell.run(context, "agx:swap t8103 " + (i % 2 == 0 ? "12.3" : "13.2"));
            long before = field(status(), "completed");
            Await.until(LIMIT, this::status, s -> field(s, "completed") > before, "jobs completing after swap " + i);
        }
        Bundle fw13 = bundle("firmware.fw13_2");
        fw13.stop();
        long atStop = field(status(), "completed");
        Await.until(LIMIT, this::status, s -> field(s, "completed") > atStop + 20, "jobs completing on 12.3");
        fw13.start();
        long atStart = field(status(), "completed");
        Await.until(LIMIT, this::status, s -> field(s, "completed") > atStart + 20, "jobs completing on 13.2 again");
        String beforeCrash = status();
        Shell.run(context, "agx:inject firmware-crash t8103");
        Await.until(LIMIT, () -> Shell.run(context, "agx:history t8103"),
                t -> t.lines().anyMatch(l -> l.contains("crash recovery") && l.endsWith("ok")), "the recovery");
        long afterCrash = field(status(), "completed");
        Await.until(LIMIT, this::status, s -> field(s, "completed") > afterCrash + 20, "jobs completing after the crash");

        String done = row(Shell.run(context, "agx:load --json --device t8103 stop"), "t8103");
        System.out.println("LoadIT: " + done + "\n" + Shell.run(context, "agx:history t8103"));
        assertEquals(done, 0, field(done, "lost"));
        assertEquals("nothing failed before the crash: " + beforeCrash, 0, field(beforeCrash, "failed"));
        List<String> recoveries = Shell.run(context, "agx:history --json t8103").lines().filter(l -> l.contains("crash recovery"))
                .toList();
        assertEquals("one crash, one recovery (the restarted firmware must not crash again): " + recoveries, 1,
                recoveries.size());
        // The crash fails the commands it hit on the firmware (NO_DEVICE), one per load job; the work
        // still queued waits for the restart. (A render caught between queueing its fragment and its
        // vertex pass may be counted twice.)
        long jobs = field(done, "failed");
        long commands = field(recoveries.get(0), "failed");
        assertTrue("the failed jobs are the ones the crash hit: " + done + " / " + recoveries.get(0),
                jobs <= commands && commands <= jobs + 1);
        assertTrue("every failure is the crash's NO_DEVICE: " + done,
                jobs == 0 || !done.matches(".*status [0-57-9].*"));
        assertEquals(done, field(done, "submitted"), field(done, "completed") + field(done, "failed") + field(done, "lost"));
        assertTrue(done, done.contains("\"running\": false"));
        awaitThreadsBackTo(threads); // the load's, its queues' schedulers, the old firmwares' ASC threads...
        awaitResourcesBackTo(resources);
    }

    @Test
    public void aHungFirmwareIsFoundOutAndRestartedUnderLoad() throws Exception {
        var threadsBefore = kilnThreads();
        org.osgi.service.cm.Configuration device = declareDevice("hangs", "apple,agx-t8103", "hang.timeout.ms", 200);
        try {
            asahiDevice("hangs");
            var threads = kilnThreads();
            Shell.run(context, "agx:load --device hangs --clients 1 start");
            Await.until(LIMIT, () -> status("hangs"), st -> field(st, "completed") > 50, "the load running");
            Shell.run(context, "agx:inject firmware-hang hangs");
            Await.until(LIMIT, () -> Shell.run(context, "agx:history hangs"),
                    t -> t.lines().anyMatch(l -> l.contains("crash recovery") && l.endsWith("ok")), "the hang found and recovered");
            long after = field(status("hangs"), "completed");
            Await.until(LIMIT, () -> status("hangs"), st -> field(st, "completed") > after + 20, "jobs completing after it");
            // a GPU hang: the firmware's own watchdog times the job out; no restart needed
            long failedBefore = field(status("hangs"), "failed");
            Shell.run(context, "agx:inject gpu-hang hangs");
            Await.until(LIMIT, () -> status("hangs"), st -> field(st, "failed") == failedBefore + 1, "the hung job timed out");
            long afterGpuHang = field(status("hangs"), "completed");
            Await.until(LIMIT, () -> status("hangs"), st -> field(st, "completed") > afterGpuHang + 20, "jobs after the GPU hang");
            String done = row(Shell.run(context, "agx:load --json --device hangs stop"), "hangs");
            String recovery = Shell.run(context, "agx:history --json hangs").lines().filter(l -> l.contains("crash recovery"))
                    .findFirst().orElseThrow();
            System.out.println("LoadIT hang: " + done + "\n" + recovery);
            assertEquals(done, 0, field(done, "lost"));
            long failed = field(done, "failed");
            assertTrue("the GPU hang's job and what the firmware hang hit, no more: " + done + " / " + recovery,
                    failed >= 1 && failed <= 4);
            assertEquals("one restart only (the GPU hang needed none)", 1,
                    Shell.run(context, "agx:history hangs").lines().filter(l -> l.contains("crash recovery")).count());
            awaitThreadsBackTo(threads);
        } finally {
            device.delete();
        }
        awaitThreadsBackTo(threadsBefore); // the device's own (control, ASC, watchdog, interrupts) go with it
    }

    @Test
    public void memoryRunningOutAndAnMmuFaultCostOnlyWhatTheyHit() throws Exception {
        String node = (String) asahiDevice("t8112").getProperty(kiln.drm.api.device.DrmDevice.RENDER_NODE);
        var resources = baselineResources();
        var threads = kilnThreads();
        Shell.run(context, "agx:load --device t8112 --clients 1 start");
        Await.until(LIMIT, () -> status("t8112"), st -> field(st, "completed") > 50, "the load running");
        kiln.drm.api.client.Client client = service(kiln.drm.api.client.ClientFactory.class).spawn("hungry", false);
        try {
            kiln.agx.client.drm.AsahiDevice dev = kiln.agx.client.drm.AsahiDevice.open(client, node);
            Shell.run(context, "agx:inject memory-exhaustion t8112");
            try {
                int h = dev.gemCreate(1 << 20, 0, 0);
                dev.mmap(h, 1 << 20); // pages come on first use
                throw new AssertionError("a 1 MiB object must not get pages while memory is exhausted");
            } catch (kiln.drm.api.DrmException e) {
                assertEquals(kiln.drm.api.Errno.ENOMEM, e.errno());
            }
            Thread.sleep(2500);
            int h = dev.gemCreate(1 << 20, 0, 0);
            dev.mmap(h, 1 << 20);
        } finally {
            client.exit();
        }
        long after = field(status("t8112"), "completed");
        Await.until(LIMIT, () -> status("t8112"), st -> field(st, "completed") > after + 20, "jobs after the memory came back");
        // an MMU fault: the job it hits fails with the fault (EIO); the others go on
        long failedBefore = field(status("t8112"), "failed");
        Shell.run(context, "agx:inject mmu-fault t8112");
        Await.until(LIMIT, () -> status("t8112"), st -> field(st, "failed") == failedBefore + 1, "the faulting job");
        String failure = status("t8112");
        assertTrue(failure, failure.contains("status 4")); // STATUS_FAULT
        long afterFault = field(status("t8112"), "completed");
        Await.until(LIMIT, () -> status("t8112"), st -> field(st, "completed") > afterFault + 20, "jobs after the fault");
        String done = row(Shell.run(context, "agx:load --json --device t8112 stop"), "t8112");
        System.out.println("LoadIT memory and MMU fault: " + done);
        assertEquals(done, 0, field(done, "lost"));
        awaitThreadsBackTo(threads);
        awaitResourcesBackTo(resources); // the pages held and given back, the faulting job's objects
    }
}
