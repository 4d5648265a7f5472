package kiln.itest;

import static kiln.agx.api.uapi.AsahiUapi.*;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

import kiln.agx.api.uapi.AsahiIoctl;
import kiln.agx.api.uapi.UapiStruct;
import kiln.agx.client.demo.GpuSession;
import kiln.agx.client.demo.Workloads;
import kiln.agx.client.drm.AsahiDevice;
import kiln.agx.client.drm.AsahiDevice.Compute;
import kiln.agx.client.drm.AsahiDevice.Sync;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.ClientFactory;
import kiln.drm.api.device.DrmDevice;
import kiln.drm.api.ioctl.IoctlNumber;

/**
 * What a hostile client tried and must never achieve again (the fuzzer's findings): taking the
 * GPU down for everyone with one submission, reaching another client's memory through a race,
 * leaving state that fails another client's job, or leaking through an ioctl that failed. Each
 * test is the regression test of one finding; races loop, bounded, until their window was hit.
 * After each test the client exits and the devices hold what they held before (kernel objects,
 * event and VM slots), no GEM object is left and Kiln's threads are those it had.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HostileClientIT extends KilnTestBase {
    private static final long PAGE = GpuSession.PAGE;
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final long UNMAPPED = 0x40_0000_0000L;
    private static final int GEM_CLOSE = IoctlNumber.iow(0x09, 8);
    private Client client;
    private java.util.Map<String, String> resources;

    private java.util.Map<String, Integer> threads;

    @Before
    public void spawn() throws Exception {
        resources = baselineResources();
        threads = kilnThreads();
        client = service(ClientFactory.class).spawn("hostile", false);
    }

    @After
    public void exit() throws Exception {
        client.exit();
        awaitResourcesBackTo(resources);
        Await.until(LIMIT, () -> Shell.run(context, "drm:gem"), t -> t.contains("(none)"), "every GEM object freed");
        awaitThreadsBackTo(threads);
    }

    private String node(String device) throws Exception {
        return (String) asahiDevice(device).getProperty(DrmDevice.RENDER_NODE);
    }

    private static long deadline() {
        return System.nanoTime() + LIMIT.toNanos();
    }

    private static int computeStatus(Client c, long resultCpu) throws DrmException {
        return c.memory().readInt(resultCpu + UapiStruct.RESULT_COMPUTE.offset("info", "status"));
    }

    /** A 64-thread {@code u1[i] = u0[i]^2 + 7} launch: its encoder and where {@code u0} is mapped for the CPU. */
    private record Squares(long encoder, long end, long inCpu) {
        Compute command() {
            return Compute.of(encoder, end);
        }
    }

    /** {@link Squares} from a new input buffer into {@code outVa} (a buffer's VA, or an unmapped address). */
    private static Squares squares(UapiSetup s, long outVa) throws Exception {
        long[] in = s.buffer(4 * 64);
        long[] enc = s.encoder(s.program(Kernels.SQUARE_PLUS), 64, in[0], outVa);
        return new Squares(enc[0], enc[1], in[1]);
    }

    /**
     * A thread that runs {@code round} each time the test and the other racers pass {@code start},
     * then waits at {@code end}, until {@code over} says so at a start; its first failure goes to
     * {@code failure}.
     */
    private static Thread racer(String name, CyclicBarrier start, CyclicBarrier end, java.util.function.BooleanSupplier over,
            Call round, AtomicReference<Throwable> failure) {
        return Thread.ofPlatform().name(name).start(() -> {
            try {
                while (true) {
                    start.await();
                    if (over.getAsBoolean()) {
                        return;
                    }
                    round.run();
                    end.await();
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
    }

    /**
     * Result ranges are u64 sums: an offset from 2^63 up, or a range whose end wraps, is EINVAL at
     * SUBMIT (before, one was accepted and its result write later threw on the firmware's event
     * thread, stopping every client's completions until the GPU was declared lost).
     */
    @Test
    public void resultRangesAreCheckedAsUnsignedSums() throws Exception {
        UapiSetup s = new UapiSetup(client, node("t8103"), QUEUE_CAP_COMPUTE);
        Squares job = squares(s, s.buffer(4 * 64)[0]);
        long[] result = s.buffer(PAGE);
        long size = UapiStruct.RESULT_COMPUTE.size();
        long[][] ranges = {{1L << 63, size}, {-size, size}, {8, -8L}, {0, -1L}, {-1L, 1}, {PAGE - size + 8, size}};
        for (long[] r : ranges) {
            Compute bad = new Compute(job.encoder(), job.end(), 0, BARRIER_NONE, BARRIER_NONE, r[0], r[1]);
            expect(Errno.EINVAL, () -> s.dev.submit(s.queue, List.of(), List.of(), List.of(bad), (int) result[2]));
        }
        Compute last = new Compute(job.encoder(), job.end(), 0, BARRIER_NONE, BARRIER_NONE, PAGE - size, size);
        int done = s.dev.syncobjCreate(0);
        s.dev.submit(s.queue, List.of(), List.of(Sync.binary(done)), List.of(last), (int) result[2]);
        s.dev.syncobjWait(new int[] {done}, deadline(), 0);
        assertEquals(STATUS_COMPLETE, computeStatus(client, result[1] + PAGE - size));
    }

    /**
     * Clients looping jobs that fault never lose the GPU: every fault is reported as that job's
     * FAULT and the firmware is resumed each time (before, a fault event read before the
     * firmware's halted flag was visible was answered "Cannot recover.", and the watchdog then
     * declared the firmware lost for everyone). Each faulting job fails as FAULT even when
     * another client's job faults at the same moment ({@code FAULT_INFO} latches one of them).
     * No crash recovery happens; other work goes on.
     */
    @Test
    public void clientsLoopingFaultingJobsNeverLoseTheGpu() throws Exception {
        Configuration device = declareDevice("faults", "apple,agx-t8103", "hang.timeout.ms", 300);
        List<Client> clients = new ArrayList<>();
        try {
            String node = node("faults");
            int threads = 4;
            int jobs = 100;
            List<Thread> loops = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < threads; t++) {
                Client c = service(ClientFactory.class).spawn("faulting-" + t, false);
                clients.add(c);
                UapiSetup s = new UapiSetup(c, node, QUEUE_CAP_COMPUTE);
                Squares faulting = squares(s, UNMAPPED);
                long[] result = s.buffer(PAGE);
                int done = s.dev.syncobjCreate(0);
                loops.add(Thread.ofPlatform().name("faulting-" + t).start(() -> {
                    try {
                        for (int j = 0; j < jobs; j++) {
                            s.dev.submit(s.queue, List.of(), List.of(Sync.binary(done)),
                                    List.of(faulting.command().withResult(0)), (int) result[2]);
                            s.dev.syncobjWait(new int[] {done}, deadline(), 0);
                            assertEquals("job " + j, STATUS_FAULT, computeStatus(c, result[1]));
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread loop : loops) {
                loop.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("a faulting client saw something other than its fault:\n"
                        + Shell.run(context, "agx:history faults"), failure.get());
            }
            // A "newer firmware" upgrade is legitimate when the 13.2 bundle's service arrives after
            // the device bound 12.3; only a crash recovery or a failed swap means the GPU was lost.
            String history = Shell.run(context, "agx:history --json faults");
            assertTrue("no firmware crash or recovery: " + history, history.lines()
                    .noneMatch(l -> l.contains("crash recovery") || l.contains("\"outcome\"") && !l.contains("\"outcome\": \"ok\"")));
            UapiSetup s = new UapiSetup(clients.get(0), node, QUEUE_CAP_COMPUTE);
            long[] out = s.buffer(4 * 64);
            Squares good = squares(s, out[0]);
            clients.get(0).memory().writeInt(good.inCpu() + 4 * 9, 5);
            int done = s.dev.syncobjCreate(0);
            s.dev.submit(s.queue, List.of(), List.of(Sync.binary(done)), List.of(good.command()), 0);
            s.dev.syncobjWait(new int[] {done}, deadline(), 0);
            assertEquals(32, clients.get(0).memory().readInt(out[1] + 4 * 9));
        } finally {
            clients.forEach(Client::exit);
            device.delete();
        }
    }

    /** The live GEM objects of {@code size} bytes ({@code drm:gem --json}). */
    private int liveObjectsOfSize(long size) throws Exception {
        Matcher m = Pattern.compile("\"size\": " + size + "\\b").matcher(Shell.run(context, "drm:gem --json"));
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /**
     * GEM_BIND racing the object's last GEM_CLOSE: when the bind's mapping outlives the handle
     * (the close's unmapping ran before it existed), the mapping holds the object, so its pages
     * stay out of the pool and never become another client's while this client's GPU jobs can
     * reach them. Before, the object was freed under the mapping. Bounded: stops after a few hits.
     */
    @Test
    public void aBindRacingTheLastCloseNeverMapsAFreedObject() throws Exception {
        UapiSetup s = new UapiSetup(client, node("t8103"), QUEUE_CAP_COMPUTE);
        long size = 3 * PAGE; // no other object here has this size
        int probe = s.dev.gemCreate(PAGE, 0, 0);
        long bindArg = client.memory().map(64);
        long closeArg = client.memory().map(16);
        CyclicBarrier start = new CyclicBarrier(3);
        CyclicBarrier end = new CyclicBarrier(3);
        int[] handle = new int[1];
        long[] addr = new long[1];
        Errno[] bindOutcome = new Errno[1];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int fd = s.dev.fd();
        UapiStruct b = UapiStruct.GEM_BIND;
        Thread binder = racer("binder", start, end, () -> handle[0] < 0, () -> {
            for (int i = 0; i < b.size(); i += 8) {
                client.memory().writeLong(bindArg + i, 0);
            }
            client.memory().writeInt(bindArg + b.offset("op"), BIND_OP_BIND);
            client.memory().writeInt(bindArg + b.offset("flags"), BIND_READ | BIND_WRITE);
            client.memory().writeInt(bindArg + b.offset("handle"), handle[0]);
            client.memory().writeInt(bindArg + b.offset("vm_id"), s.vm);
            client.memory().writeLong(bindArg + b.offset("range"), size);
            client.memory().writeLong(bindArg + b.offset("addr"), addr[0]);
            try {
                client.ioctl(fd, AsahiIoctl.GEM_BIND.number(), bindArg);
                bindOutcome[0] = null;
            } catch (DrmException e) {
                bindOutcome[0] = e.errno();
            }
        }, failure);
        Thread closer = racer("closer", start, end, () -> handle[0] < 0, () -> {
            client.memory().writeLong(closeArg, Integer.toUnsignedLong(handle[0]));
            client.ioctl(fd, GEM_CLOSE, closeArg);
        }, failure);
        int hits = 0;
        int rounds = 0;
        long stop = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
            while (hits < 3 && rounds < 3000 && System.nanoTime() < stop && failure.get() == null) {
                handle[0] = s.dev.gemCreate(size, 0, 0);
                addr[0] = 0x30_0000_0000L + rounds * (size + PAGE);
                rounds++;
                start.await(20, TimeUnit.SECONDS);
                end.await(20, TimeUnit.SECONDS);
                if (bindOutcome[0] != null) {
                    assertEquals("a bind racing the close either maps or finds no handle", Errno.ENOENT, bindOutcome[0]);
                    continue;
                }
                try {
                    s.dev.bind(probe, s.vm, PAGE, addr[0]);
                    // the close came after the bind and unmapped it: the address is free again
                    s.dev.gemBind(BIND_OP_UNBIND, 0, probe, s.vm, 0, PAGE, addr[0]);
                } catch (DrmException e) {
                    assertEquals(Errno.ENOSPC, e.errno());
                    hits++; // the bind's mapping outlived the handle: its object must still be alive
                    assertEquals("objects kept alive by the mappings that outlived their handle", hits,
                            liveObjectsOfSize(size));
                }
            }
        } finally {
            handle[0] = -1;
            start.await(20, TimeUnit.SECONDS);
            binder.join();
            closer.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a racing thread failed", failure.get());
        }
        assertTrue("the window was never hit in " + rounds + " rounds", hits > 0);
        s.dev.vmDestroy(s.vm);
        Await.until(LIMIT, () -> liveObjectsOfSize(size), n -> n == 0, "the mappings' objects freed with their VM");
    }

    /**
     * VM_DESTROY under a live render queue leaves the queue its TVB: the queue's render fails on
     * the user memory that went (FAULT, reported), the device goes on, and another client's render
     * right after — in the UAT slot the first client's VM had — completes. Before, the TVB went
     * with the VM, the render faulted mid-tile, and the tile core it left (depth clear pending)
     * failed the next client's render without depth.
     */
    @Test
    public void aDestroyedVmUnderALiveRenderQueueFailsOnlyThatQueuesWork() throws Exception {
        String node = node("t8103");
        GpuSession a = new GpuSession(client, node, QUEUE_CAP_RENDER | QUEUE_CAP_COMPUTE);
        Workloads.Scene scene = Workloads.scene(a, 64, 64, 20);
        GpuSession.Buffer result = a.buffer(PAGE);
        a.device().vmDestroy(a.vm());
        int done = a.device().syncobjCreate(0);
        a.device().submit(a.queue(), List.of(), List.of(Sync.binary(done)), List.of(scene.render().withResult(0)),
                result.handle());
        a.device().syncobjWait(new int[] {done}, deadline(), 0);
        int status = client.memory().readInt(result.cpu() + UapiStruct.RESULT_RENDER.offset("info", "status"));
        assertEquals("the render of a destroyed VM's queue", STATUS_FAULT, status);
        Client other = service(ClientFactory.class).spawn("next-in-slot", false);
        try {
            a.close();
            GpuSession b = new GpuSession(other, node, QUEUE_CAP_RENDER);
            Workloads.Scene next = Workloads.scene(b, 64, 64, 20);
            AsahiDevice.Render r = next.render();
            AsahiDevice.Render noDepth = new AsahiDevice.Render(r.encoder(), r.width(), r.height(), r.color(), false,
                    r.clearColor(), 0, false, false, 1f, BARRIER_NONE, BARRIER_NONE, 0, 0);
            GpuSession.Buffer res = b.buffer(PAGE);
            b.run(List.of(noDepth.withResult(0)), res.handle(), 20);
            assertEquals("the next client's render", STATUS_COMPLETE,
                    other.memory().readInt(res.cpu() + UapiStruct.RESULT_RENDER.offset("info", "status")));
            long covered = next.covered(next.image(other));
            assertTrue(covered + " pixels drawn", covered > 0 && covered < 64 * 64);
        } finally {
            other.exit();
        }
    }

    /**
     * SUBMIT racing QUEUE_DESTROY of its queue: the submission is queued (and then dropped or run
     * by the destroy) or refused with ENOENT, as if the destroy came first, and gives its result
     * buffer back either way. Before, the answer was ENODEV on a live device and the result buffer
     * stayed referenced forever.
     */
    @Test
    public void aSubmitRacingItsQueuesDestroyIsEnoentAndLeaksNothing() throws Exception {
        UapiSetup s = new UapiSetup(client, node("t8103"), QUEUE_CAP_COMPUTE);
        Squares job = squares(s, s.buffer(4 * 64)[0]);
        long[] result = s.buffer(PAGE);
        long destroyArg = client.memory().map(16);
        int fd = s.dev.fd();
        int[] queue = new int[1];
        CyclicBarrier start = new CyclicBarrier(2);
        CyclicBarrier end = new CyclicBarrier(2);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread destroyer = racer("destroyer", start, end, () -> queue[0] < 0, () -> {
            client.memory().writeLong(destroyArg, 0);
            client.memory().writeLong(destroyArg + 8, Integer.toUnsignedLong(queue[0]));
            client.ioctl(fd, AsahiIoctl.QUEUE_DESTROY.number(), destroyArg);
        }, failure);
        int refused = 0;
        try {
            for (int round = 0; round < 300 && failure.get() == null; round++) {
                queue[0] = s.dev.queueCreate(s.vm, QUEUE_CAP_COMPUTE, 0);
                start.await(20, TimeUnit.SECONDS);
                try {
                    s.dev.submit(queue[0], List.of(), List.of(), List.of(job.command().withResult(0)), (int) result[2]);
                } catch (DrmException e) {
                    assertEquals("round " + round + ": " + e.getMessage(), Errno.ENOENT, e.errno());
                    refused++;
                }
                end.await(20, TimeUnit.SECONDS);
            }
        } finally {
            queue[0] = -1;
            start.await(20, TimeUnit.SECONDS);
            destroyer.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("the destroying thread failed", failure.get());
        }
        assertTrue("some submissions lost the race (" + refused + " of 300)", refused > 0);
        // the result buffer is freed with the client (checked after the test) only if no refused
        // submission kept a reference to it
    }

    /**
     * Every sync of a SUBMIT is checked before anything changes: a timeline out-sync of point 0
     * is EINVAL and the job is not queued, so an earlier binary out-sync of the same submission
     * keeps its fence (before, the job was queued and that fence replaced, then EINVAL). Points
     * from 2^63 up are points like any other.
     */
    @Test
    public void outSyncsAreCheckedBeforeTheJobIsQueued() throws Exception {
        UapiSetup s = new UapiSetup(client, node("t8112"), QUEUE_CAP_COMPUTE);
        long[] count = s.buffer(4);
        long[] flag = s.buffer(4);
        client.memory().writeInt(count[1], 50_000_000);
        long[] spin = s.encoder(s.program(Kernels.SPIN), 1, count[0], flag[0]);
        int binary = s.dev.syncobjCreate(AsahiDevice.SYNCOBJ_CREATE_SIGNALED);
        int timeline = s.dev.syncobjCreate(0);
        expect(Errno.EINVAL, () -> s.dev.submit(s.queue, List.of(), List.of(Sync.binary(binary), Sync.timeline(timeline, 0)),
                List.of(Compute.of(spin[0], spin[1])), 0));
        s.dev.syncobjWait(new int[] {binary}, System.nanoTime(), 0); // still the signalled fence: no wait
        assertEquals("the spin job never ran", 0, client.memory().readInt(flag[1]));

        long[] out = s.buffer(4 * 64);
        Squares quick = squares(s, out[0]);
        long high = (1L << 63) + 5;
        s.dev.submit(s.queue, List.of(), List.of(Sync.timeline(timeline, high)), List.of(quick.command()), 0);
        s.dev.syncobjTimelineWait(timeline, high, deadline(), 0);
        assertEquals(7, client.memory().readInt(out[1]));
    }
}
