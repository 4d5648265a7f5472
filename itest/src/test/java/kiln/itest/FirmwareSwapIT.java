package kiln.itest;

import static kiln.agx.api.uapi.AsahiUapi.QUEUE_CAP_COMPUTE;
import static kiln.agx.api.uapi.AsahiUapi.QUEUE_CAP_RENDER;
import static kiln.agx.api.uapi.AsahiUapi.STATUS_COMPLETE;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;

import kiln.agx.api.uapi.UapiStruct;
import kiln.agx.client.drm.AsahiDevice.Compute;
import kiln.agx.client.drm.AsahiDevice.Sync;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.ClientFactory;
import kiln.drm.api.device.DrmDevice;

/**
 * Live firmware swaps under work: a client keeps submitting compute jobs on two queues of the
 * t8103 while the device moves between firmware 13.2 and 12.3 — by {@code agx:swap}, and because
 * the firmware bundle it runs stops and comes back. Every job runs once with the right result, no
 * client sees an error, the render node and the client's handles, VMs and queues carry on, and
 * the device holds no more than before once the client is gone.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FirmwareSwapIT extends KilnTestBase {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final int SWAPS = Integer.getInteger("kiln.swaps", 100);
    private static final long STRIDE = 64;

    /** A client submitting jobs until told to stop; each job writes its own slice and result. */
    private final class Load implements AutoCloseable {
        final Client client;
        final UapiSetup s;
        final int second;
        final long[] in;
        final long[] out;
        final long[] results;
        final long program;
        final int[] last = new int[2];
        final int capacity;
        volatile boolean stop;
        int submitted;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread;

        Load(String node, int capacity) throws Exception {
            this.capacity = capacity;
            client = service(ClientFactory.class).spawn("swap-load", false);
            s = new UapiSetup(client, node, QUEUE_CAP_COMPUTE);
            second = s.dev.queueCreate(s.vm, QUEUE_CAP_COMPUTE | QUEUE_CAP_RENDER, 2);
            in = s.buffer(4 * 32);
            for (int i = 0; i < 32; i++) {
                client.memory().writeInt(in[1] + 4L * i, i);
            }
            out = s.buffer(4 * 32 * capacity);
            results = s.buffer(STRIDE * capacity);
            program = s.program(Kernels.SQUARE_PLUS);
            last[0] = s.dev.syncobjCreate(0);
            last[1] = s.dev.syncobjCreate(0);
            List<long[]> encoders = new ArrayList<>();
            for (int j = 0; j < capacity; j++) {
                encoders.add(s.encoder(program, 32, in[0], out[0] + 4L * 32 * j));
            }
            thread = Thread.ofPlatform().name("swap-load").start(() -> {
                try {
                    for (int j = 0; j < capacity && !stop; j++) {
                        long[] e = encoders.get(j);
                        int q = j % 2 == 0 ? s.queue : second;
                        s.dev.submit(q, List.of(), List.of(Sync.binary(last[j % 2])),
                                List.of(Compute.of(e[0], e[1]).withResult(STRIDE * j)), (int) results[2]);
                        submitted = j + 1;
                        if (j % 2 == 1) {
                            Thread.sleep(1); // a steady stream rather than one burst
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
        }

        /** Stops submitting, waits for everything submitted and checks every job's output and result. */
        int finish() throws Exception {
            stop = true;
            thread.join(LIMIT.toMillis());
            if (failure.get() != null) {
                throw new AssertionError("a submission failed", failure.get());
            }
            s.dev.syncobjWait(last, System.nanoTime() + TimeUnit.SECONDS.toNanos(20), 1 /* WAIT_ALL */);
            for (int j = 0; j < submitted; j++) {
                int status = Await.until(LIMIT, readStatus(j), v -> v != 0, "job " + j + "'s result");
                assertEquals("job " + j + " status", STATUS_COMPLETE, status);
                for (int i = 0; i < 32; i += 7) {
                    assertEquals("job " + j + " [" + i + "]", i * i + 7, client.memory().readInt(out[1] + 4L * (32 * j + i)));
                }
            }
            return submitted;
        }

        private java.util.concurrent.Callable<Integer> readStatus(int j) {
            return () -> client.memory().readInt(results[1] + STRIDE * j + UapiStruct.RESULT_COMPUTE.offset("info", "status"));
        }

        @Override
        public void close() {
            stop = true;
            client.exit();
        }
    }

    private String node() throws Exception {
        return (String) asahiDevice("t8103").getProperty(DrmDevice.RENDER_NODE);
    }

    private String firmwareOf(String device) throws Exception {
        return Shell.run(context, "agx:devices --json").lines().filter(l -> l.contains("\"name\": \"" + device + "\""))
                .findFirst().orElseThrow().replaceAll(".*\"firmware\": \"([^\"]*)\".*", "$1");
    }

    private int swapsOk() throws Exception {
        return Shell.run(context, "agx:history --json t8103").split("\"outcome\": \"ok\"", -1).length - 1;
    }

    @Test
    public void swapsByCommandUnderLoadLoseNothing() throws Exception {
        java.util.concurrent.BlockingQueue<org.osgi.service.event.Event> events = new java.util.concurrent.LinkedBlockingQueue<>();
        Hashtable<String, Object> topics = new Hashtable<>();
        topics.put(org.osgi.service.event.EventConstants.EVENT_TOPIC, "kiln/agx/firmware/*");
        var handler = context.registerService(org.osgi.service.event.EventHandler.class, events::add, topics);
        var resources = baselineResources();
        var threads = kilnThreads();
        String node = node();
        int okBefore = swapsOk();
        int jobs;
        try (Load load = new Load(node, 40 * SWAPS + 40)) {
            int duringSwaps = 0;
            for (int i = 0; i < SWAPS; i++) {
                String to = i % 2 == 0 ? "12.3" : "13.2";
                int before = load.submitted;
                String said = Shell.run(context, "agx:swap t8103 " + to);
                assertTrue(said, said.contains("-> " + to));
                assertEquals(to, firmwareOf("t8103"));
                Thread.sleep(5);
                duringSwaps += load.submitted > before && load.submitted < load.capacity ? 1 : 0;
            }
            jobs = load.finish();
            System.out.println("FirmwareSwapIT: " + jobs + " jobs, " + duringSwaps + " swaps with jobs flowing\n"
                    + Shell.run(context, "agx:history t8103"));
            assertTrue("jobs flowed while the device swapped: " + duringSwaps, duringSwaps >= SWAPS / 2);
            assertEquals("the render node stays", node, node());
        }
        assertTrue("jobs ran across the swaps: " + jobs, jobs >= SWAPS);
        assertEquals(Shell.run(context, "agx:history t8103"), SWAPS, swapsOk() - okBefore);
        // each swap was published on EventAdmin
        int published = 0;
        for (org.osgi.service.event.Event e; published < SWAPS && (e = events.poll(5, TimeUnit.SECONDS)) != null;) {
            if ("t8103".equals(e.getProperty("device")) && "agx:swap".equals(e.getProperty("reason"))) {
                assertEquals("kiln/agx/firmware/SWAPPED", e.getTopic());
                assertEquals("ok", e.getProperty("outcome"));
                assertEquals(0, e.getProperty("failed"));
                assertTrue("commands replayed: " + e.getProperty("replayed"), (Integer) e.getProperty("replayed") >= 0);
                assertTrue(e.getProperty("downtime.us") instanceof Long);
                published++;
            }
        }
        handler.unregister();
        assertEquals("swaps published on EventAdmin", SWAPS, published);
        if (SWAPS % 2 == 1) {
            Shell.run(context, "agx:swap t8103 13.2");
        }
        ServiceReference<DrmDevice> ref = asahiDevice("t8103");
        assertEquals("13.2", ref.getProperty("agx.firmware.version"));
        awaitThreadsBackTo(threads); // every old firmware's ASC thread is gone, the queues' schedulers too
        awaitResourcesBackTo(resources);
    }

    @Test
    public void theFirmwareBundleGoingAndComingBackSwapsLive() throws Exception {
        String node = node();
        Bundle fw13 = bundle("firmware.fw13_2");
        try (Load load = new Load(node, 400)) {
            Thread.sleep(20);
            fw13.stop();
            Await.until(LIMIT, () -> firmwareOf("t8103"), "12.3"::equals, "t8103 on 12.3");
            Thread.sleep(20);
            fw13.start();
            Await.until(LIMIT, () -> firmwareOf("t8103"), "13.2"::equals, "t8103 back on 13.2");
            int jobs = load.finish();
            assertTrue("jobs ran: " + jobs, jobs > 0);
            assertEquals("the render node stays", node, node());
        } finally {
            if (fw13.getState() != Bundle.ACTIVE) {
                fw13.start();
            }
        }
        asahiDevice("t8112");
    }

    @Test
    public void aFirmwareCrashFailsTheWorkItHitsAndTheDeviceRecovers() throws Exception {
        var resources = baselineResources();
        Client client = service(ClientFactory.class).spawn("crash", false);
        try {
            UapiSetup s = new UapiSetup(client, node(), QUEUE_CAP_COMPUTE);
            long[] count = s.buffer(4);
            long[] mark = s.buffer(4);
            client.memory().writeInt(count[1], 2_000_000);
            long[] spin = s.encoder(s.program(Kernels.SPIN), 1, count[0], mark[0]);
            long[] results = s.buffer(STRIDE * 2);
            int hit = s.dev.syncobjCreate(0);
            s.dev.submit(s.queue, List.of(), List.of(Sync.binary(hit)), List.of(Compute.of(spin[0], spin[1]).withResult(0)),
                    (int) results[2]);
            Shell.run(context, "agx:inject firmware-crash t8103");
            s.dev.syncobjWait(new int[] {hit}, System.nanoTime() + TimeUnit.SECONDS.toNanos(20), 0);
            assertEquals("the job the crash hit", 6 /* NO_DEVICE */,
                    (int) Await.until(LIMIT, () -> client.memory().readInt(results[1] + UapiStruct.RESULT_COMPUTE.offset("info", "status")),
                            v -> v != 0, "the crashed job's result"));
            String history = Await.until(LIMIT, () -> Shell.run(context, "agx:history t8103"),
                    t -> t.lines().anyMatch(l -> l.contains("crash recovery") && l.endsWith("ok")), "the recovery");
            System.out.println("FirmwareSwapIT crash:\n" + history);

            // the same client, VM, queue and buffers go on
            long[] in = s.buffer(4 * 32);
            long[] out = s.buffer(4 * 32);
            client.memory().writeInt(in[1] + 4 * 5, 3);
            long[] square = s.encoder(s.program(Kernels.SQUARE_PLUS), 32, in[0], out[0]);
            int after = s.dev.syncobjCreate(0);
            s.dev.submit(s.queue, List.of(), List.of(Sync.binary(after)), List.of(Compute.of(square[0], square[1]).withResult(STRIDE)),
                    (int) results[2]);
            s.dev.syncobjWait(new int[] {after}, System.nanoTime() + TimeUnit.SECONDS.toNanos(20), 0);
            assertEquals(STATUS_COMPLETE, client.memory().readInt(results[1] + STRIDE + UapiStruct.RESULT_COMPUTE.offset("info", "status")));
            assertEquals(16, client.memory().readInt(out[1] + 4 * 5));
        } finally {
            client.exit();
        }
        awaitResourcesBackTo(resources);
    }

    /** One Kernels.SQUARE_PLUS job on {@code s}'s queue writing {@code out}; its out-sync. */
    private static int square(UapiSetup s, long[] in, long[] out, long[] results, int index) throws Exception {
        long[] enc = s.encoder(s.program(Kernels.SQUARE_PLUS), 32, in[0], out[0]);
        int done = s.dev.syncobjCreate(0);
        s.dev.submit(s.queue, List.of(), List.of(Sync.binary(done)), List.of(Compute.of(enc[0], enc[1]).withResult(STRIDE * index)),
                (int) results[2]);
        return done;
    }

    @Test
    public void withNoFirmwareWorkWaitsUntilOneArrivesOrItsDeadline() throws Exception {
        Configuration shortWait = declareDevice("short-wait", "apple,agx-t8103", "no.firmware.deadline.ms", 300);
        Bundle fw13 = bundle("firmware.fw13_2");
        Bundle fw12 = bundle("firmware.fw12_3");
        Client client = service(ClientFactory.class).spawn("no-firmware", false);
        try {
            UapiSetup s = new UapiSetup(client, node(), QUEUE_CAP_COMPUTE);
            UapiSetup w = new UapiSetup(client, (String) asahiDevice("short-wait").getProperty(DrmDevice.RENDER_NODE),
                    QUEUE_CAP_COMPUTE);
            long[] in = s.buffer(4 * 32);
            long[] out = s.buffer(4 * 32 * 3);
            long[] results = s.buffer(STRIDE * 3);
            long[] win = w.buffer(4 * 32);
            long[] wout = w.buffer(4 * 32);
            long[] wresults = w.buffer(STRIDE * 2);
            client.memory().writeInt(in[1] + 4 * 5, 3);
            client.memory().writeInt(win[1] + 4 * 5, 3);

            fw13.stop();
            fw12.stop();
            for (String device : List.of("t8103 ", "short-wait ")) {
                Await.until(LIMIT, () -> Shell.run(context, "agx:devices"), t -> t.lines()
                        .anyMatch(l -> l.startsWith(device) && l.contains("WAITING_FOR_FIRMWARE") && l.contains("holding")),
                        device + "waiting for firmware");
            }
            // work queues up; nothing fails while within the deadline
            int[] held = new int[3];
            for (int j = 0; j < 3; j++) {
                held[j] = square(s, in, new long[] {out[0] + 4L * 32 * j, out[1] + 4L * 32 * j}, results, j);
            }
            int expired = square(w, win, wout, wresults, 0);
            Thread.sleep(800);
            w.dev.syncobjWait(new int[] {expired}, System.nanoTime() + TimeUnit.SECONDS.toNanos(5), 0);
            assertEquals("the job past its deadline never ran", 0, client.memory().readInt(wout[1] + 4 * 5));
            assertEquals(0, client.memory().readInt(wresults[1] + UapiStruct.RESULT_COMPUTE.offset("info", "status")));
            for (int j = 0; j < 3; j++) {
                assertEquals("held job " + j + " has not run", 0, client.memory().readInt(out[1] + 4L * 32 * j + 4 * 5));
            }

            fw12.start();
            Await.until(LIMIT, () -> firmwareOf("t8103"), "12.3"::equals, "t8103 on 12.3 again");
            s.dev.syncobjWait(held, System.nanoTime() + TimeUnit.SECONDS.toNanos(20), 1 /* WAIT_ALL */);
            for (int j = 0; j < 3; j++) {
                assertEquals("held job " + j, 16, client.memory().readInt(out[1] + 4L * 32 * j + 4 * 5));
                assertEquals(STATUS_COMPLETE, client.memory().readInt(results[1] + STRIDE * j
                        + UapiStruct.RESULT_COMPUTE.offset("info", "status")));
            }
            // the device whose job expired serves new work
            Await.until(LIMIT, () -> firmwareOf("short-wait"), "12.3"::equals, "short-wait on 12.3");
            int after = square(w, win, wout, wresults, 1);
            w.dev.syncobjWait(new int[] {after}, System.nanoTime() + TimeUnit.SECONDS.toNanos(20), 0);
            assertEquals(16, client.memory().readInt(wout[1] + 4 * 5));
            System.out.println("FirmwareSwapIT no firmware:\n" + Shell.run(context, "agx:history t8103"));
        } finally {
            client.exit();
            shortWait.delete();
            if (fw12.getState() != Bundle.ACTIVE) {
                fw12.start();
            }
            if (fw13.getState() != Bundle.ACTIVE) {
                fw13.start();
            }
        }
        Await.until(LIMIT, () -> firmwareOf("t8103"), "13.2"::equals, "t8103 back on the newest");
    }

    /**
     * The drain bound expires: the command still running on the old firmware is killed
     * (STATUS_KILLED, ECANCELED, never finished), and everything queued behind it — compute jobs
     * and a render waiting for it through a barrier — is built again for the new firmware and runs
     * exactly once (each job adds 1 to a counter), in order, with the right output.
     */
    @Test
    public void aSwapKillsWhatOutlastsItsDrainBoundAndReplaysWhatHadNotStarted() throws Exception {
        Configuration config = declareDevice("short-drain", "apple,agx-t8103", "swap.drain.ms", 100);
        Client client = service(ClientFactory.class).spawn("short-drain", false);
        boolean exited = false;
        try {
            String node = (String) asahiDevice("short-drain").getProperty(DrmDevice.RENDER_NODE);
            var before = Await.until(LIMIT, this::deviceResources, r -> r.containsKey("short-drain"), "short-drain's resources");
            UapiSetup s = new UapiSetup(client, node, QUEUE_CAP_COMPUTE | QUEUE_CAP_RENDER);
            int jobs = 6;
            long[] count = s.buffer(4);
            long[] mark = s.buffer(4);
            long[] counters = s.buffer(4 * 32);
            long[] results = s.buffer(STRIDE * (jobs + 2) + UapiStruct.RESULT_RENDER.size());
            client.memory().writeInt(count[1], 1_000_000_000);
            long[] spin = s.encoder(s.program(Kernels.SPIN), 1, count[0], mark[0]);
            long[] increment = s.encoder(s.program(Kernels.INCREMENT), 32, counters[0]);
            kiln.agx.client.demo.Workloads.Scene scene = kiln.agx.client.demo.Workloads.scene(s.session(), 64, 64, 40);
            int[] done = new int[jobs + 2];
            for (int j = 0; j < done.length; j++) {
                done[j] = s.dev.syncobjCreate(0);
            }
            s.dev.submit(s.queue, List.of(), List.of(Sync.binary(done[0])), List.of(Compute.of(spin[0], spin[1]).withResult(0)),
                    (int) results[2]);
            // a render that waits for the spin on the compute subqueue (barrier index 0: before this job)
            kiln.agx.client.drm.AsahiDevice.Render r = scene.render();
            r = new kiln.agx.client.drm.AsahiDevice.Render(r.encoder(), r.width(), r.height(), r.color(), r.loadColor(),
                    r.clearColor(), r.depth(), r.loadDepth(), r.storeDepth(), r.clearDepth(), r.renderBarrier(), 0, 0, 0)
                    .withResult(STRIDE * (jobs + 1));
            s.dev.submit(s.queue, List.of(), List.of(Sync.binary(done[1])), List.of(r), (int) results[2]);
            for (int j = 0; j < jobs; j++) {
                s.dev.submit(s.queue, List.of(), List.of(Sync.binary(done[j + 2])),
                        List.of(Compute.of(increment[0], increment[1]).withResult(STRIDE * (j + 1))), (int) results[2]);
            }
            Thread.sleep(200); // the spin runs; the rest waits behind it on the firmware
            assertEquals("nothing behind the spin ran yet", 0, client.memory().readInt(counters[1]));
            String said = Shell.run(context, "agx:swap short-drain 12.3");
            System.out.println("FirmwareSwapIT drain bound: " + said);
            assertTrue(said, said.contains("-> 12.3") && said.contains(", 1 failed,"));
            s.dev.syncobjWait(done, System.nanoTime() + LIMIT.toNanos(), 1 /* WAIT_ALL */);
            IntFunction<Integer> status = j -> {
                try {
                    return client.memory().readInt(results[1] + STRIDE * j + UapiStruct.RESULT_COMPUTE.offset("info", "status"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            assertEquals("the spin, halted by the swap", 5 /* KILLED */, (int) status.apply(0));
            assertTrue("the spin never finished", client.memory().readInt(mark[1]) != Kernels.SPIN_DONE);
            for (int j = 1; j <= jobs; j++) {
                assertEquals("replayed job " + j, STATUS_COMPLETE, (int) status.apply(j));
            }
            assertEquals("the replayed render", STATUS_COMPLETE, (int) status.apply(jobs + 1));
            for (int i = 0; i < 32; i += 5) {
                assertEquals("every replayed job ran exactly once [" + i + "]", jobs, client.memory().readInt(counters[1] + 4L * i));
            }
            byte[] replayed = scene.image(client);
            assertTrue("the replayed render drew", scene.covered(replayed) > 0);
            // the same render again on the new firmware draws the same image
            int again = s.dev.syncobjCreate(0);
            s.dev.submit(s.queue, List.of(), List.of(Sync.binary(again)), List.of(scene.render()), (int) results[2]);
            s.dev.syncobjWait(new int[] {again}, System.nanoTime() + LIMIT.toNanos(), 0);
            assertTrue("the replayed render equals a fresh one", java.util.Arrays.equals(replayed, scene.image(client)));
            String history = Shell.run(context, "agx:history --json short-drain");
            assertTrue(history, history.contains("\"replayed\": " + (jobs + 1)) && history.contains("\"failed\": 1"));
            client.exit();
            exited = true;
            Shell.run(context, "agx:swap short-drain 13.2"); // the baseline's firmware: its InitData's size
            Await.until(LIMIT, this::deviceResources, r2 -> before.get("short-drain").equals(r2.get("short-drain")),
                    "short-drain's resources back to " + before.get("short-drain"));
        } finally {
            if (!exited) {
                client.exit();
            }
            config.delete();
        }
    }

    /**
     * The last firmware leaves while a long command runs and others wait behind it on the
     * firmware: the running one outlasts the drain bound and is killed, the others are held —
     * replayed exactly once when a firmware arrives in time, failed with NO_DEVICE (never run)
     * once their deadline passes with none.
     */
    @Test
    public void parkingHoldsWhatHadNotStartedUntilAFirmwareComesOrItsDeadline() throws Exception {
        Configuration config = declareDevice("park-drain", "apple,agx-t8103", "swap.drain.ms", 100,
                "no.firmware.deadline.ms", 1500);
        Bundle fw13 = bundle("firmware.fw13_2");
        Bundle fw12 = bundle("firmware.fw12_3");
        Client client = service(ClientFactory.class).spawn("park-drain", false);
        try {
            String node = (String) asahiDevice("park-drain").getProperty(DrmDevice.RENDER_NODE);
            UapiSetup s = new UapiSetup(client, node, QUEUE_CAP_COMPUTE);
            long[] count = s.buffer(4);
            long[] mark = s.buffer(4);
            long[] counters = s.buffer(4 * 32);
            long[] results = s.buffer(STRIDE * 8);
            client.memory().writeInt(count[1], 1_000_000_000);
            long[] spin = s.encoder(s.program(Kernels.SPIN), 1, count[0], mark[0]);
            long[] increment = s.encoder(s.program(Kernels.INCREMENT), 32, counters[0]);
            IntFunction<Integer> status = j -> {
                try {
                    return client.memory().readInt(results[1] + STRIDE * j + UapiStruct.RESULT_COMPUTE.offset("info", "status"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            for (int round = 0; round < 2; round++) {
                int base = 4 * round;
                fw13.stop(); // 12.3 is the last firmware left
                Await.until(LIMIT, () -> firmwareOf("park-drain"), "12.3"::equals, "park-drain on 12.3");
                int[] done = new int[4];
                for (int j = 0; j < 4; j++) {
                    done[j] = s.dev.syncobjCreate(0);
                    long[] enc = j == 0 ? spin : increment;
                    s.dev.submit(s.queue, List.of(), List.of(Sync.binary(done[j])),
                            List.of(Compute.of(enc[0], enc[1]).withResult(STRIDE * (base + j))), (int) results[2]);
                }
                Thread.sleep(200); // the spin runs, the increments wait behind it on the firmware
                fw12.stop();
                Await.until(LIMIT, () -> Shell.run(context, "agx:devices"), t -> t.lines()
                        .anyMatch(l -> l.startsWith("park-drain ") && l.contains("WAITING_FOR_FIRMWARE") && l.contains("holding")),
                        "park-drain parked");
                s.dev.syncobjWait(new int[] {done[0]}, System.nanoTime() + LIMIT.toNanos(), 0);
                assertEquals("round " + round + ": the spin, halted by the parking", 5 /* KILLED */, (int) status.apply(base));
                assertEquals("held work has not run", 3 * round, client.memory().readInt(counters[1]));
                if (round == 1) {
                    Thread.sleep(2000); // past the deadline
                    s.dev.syncobjWait(done, System.nanoTime() + LIMIT.toNanos(), 1 /* WAIT_ALL */);
                    for (int j = 1; j < 4; j++) {
                        assertEquals("held job " + j + " past its deadline", 6 /* NO_DEVICE */, (int) status.apply(base + j));
                    }
                }
                fw12.start();
                Await.until(LIMIT, () -> firmwareOf("park-drain"), "12.3"::equals, "park-drain on 12.3");
                s.dev.syncobjWait(done, System.nanoTime() + LIMIT.toNanos(), 1 /* WAIT_ALL */);
                if (round == 0) {
                    for (int j = 1; j < 4; j++) {
                        assertEquals("held job " + j + ", replayed", STATUS_COMPLETE, (int) status.apply(j));
                    }
                }
                assertEquals("round " + round + ": each held job ran exactly once, or never", 3,
                        client.memory().readInt(counters[1]));
                fw13.start();
                Await.until(LIMIT, () -> firmwareOf("park-drain"), "13.2"::equals, "park-drain back on 13.2");
            }
            // the device serves on
            int after = s.dev.syncobjCreate(0);
            s.dev.submit(s.queue, List.of(), List.of(Sync.binary(after)),
                    List.of(Compute.of(increment[0], increment[1]).withResult(0)), (int) results[2]);
            s.dev.syncobjWait(new int[] {after}, System.nanoTime() + LIMIT.toNanos(), 0);
            assertEquals(4, client.memory().readInt(counters[1]));
            System.out.println("FirmwareSwapIT parking:\n" + Shell.run(context, "agx:history park-drain"));
            List<String> history = Shell.run(context, "agx:history --json park-drain").lines().toList();
            assertTrue("the parking held 3 and killed 1: " + history, history.stream()
                    .anyMatch(l -> l.contains("\"outcome\": \"parked\"") && l.contains("\"replayed\": 3, \"failed\": 1")));
            assertTrue("the arrival replayed the 3: " + history, history.stream()
                    .anyMatch(l -> l.contains("firmware 12.3 arrived") && l.contains("\"replayed\": 3, \"failed\": 0")));
        } finally {
            client.exit();
            config.delete();
            for (Bundle b : List.of(fw12, fw13)) {
                if (b.getState() != Bundle.ACTIVE) {
                    b.start();
                }
            }
        }
        Await.until(LIMIT, () -> firmwareOf("t8103"), "13.2"::equals, "t8103 back on the newest");
    }
}
