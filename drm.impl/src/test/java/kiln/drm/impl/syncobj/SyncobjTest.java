package kiln.drm.impl.syncobj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.AddressSpace;
import kiln.drm.api.client.Client;
import kiln.drm.api.driver.DriverFeature;
import kiln.drm.api.fence.FenceContext;
import kiln.drm.api.fence.SignalableFence;
import kiln.drm.api.syncobj.SyncObj;
import kiln.drm.impl.Fixtures;
import kiln.drm.impl.device.DeviceFile;
import kiln.drm.impl.device.DrmCore;
import kiln.drm.impl.device.TestDriver;
import kiln.drm.impl.fence.FenceService;
import kiln.drm.impl.gem.GemService;

class SyncobjTest {
    private static final long MS = 1_000_000;
    private SyncobjService syncobjs;
    private FenceContext ring;
    private Client client;
    private AddressSpace mem;
    private DeviceFile file;
    private long arg;
    private long handles;
    private long points;

    @BeforeEach
    void setUp() throws DrmException {
        FenceService fences = new FenceService();
        ring = fences.createContext("test", "ring");
        syncobjs = new SyncobjService(fences);
        DrmCore core = new DrmCore(null, new GemService(Fixtures.pagePool(16)), syncobjs);
        core.register(new TestDriver() {
            @Override
            public Set<DriverFeature> features() {
                return EnumSet.of(DriverFeature.GEM, DriverFeature.RENDER, DriverFeature.SYNCOBJ,
                        DriverFeature.SYNCOBJ_TIMELINE);
            }
        }, null);
        client = Fixtures.clients(core).spawn("sync", false);
        mem = client.memory();
        file = client.lookup(client.open("renderD128"), DeviceFile.class);
        arg = mem.map(256);
        handles = arg + 128;
        points = arg + 192;
    }

    private Errno errno(Call call) {
        return assertThrows(DrmException.class, call::run).errno();
    }

    interface Call {
        void run() throws Exception;
    }

    private int create(int flags) throws DrmException {
        mem.writeLong(arg, (long) flags << 32);
        client.ioctl(0, SyncobjIoctls.CREATE, arg);
        return mem.readInt(arg);
    }

    private void clear(int bytes) throws DrmException {
        for (int i = 0; i < bytes; i += 8) {
            mem.writeLong(arg + i, 0);
        }
    }

    /** SYNCOBJ_WAIT on the given handles; returns first_signaled. */
    private int waitBinary(long timeoutNanos, int flags, int... hs) throws DrmException {
        clear(40);
        for (int i = 0; i < hs.length; i++) {
            mem.writeInt(handles + 4L * i, hs[i]);
        }
        mem.writeLong(arg, handles);
        mem.writeLong(arg + 8, System.nanoTime() + timeoutNanos);
        mem.writeInt(arg + 16, hs.length);
        mem.writeInt(arg + 20, flags);
        client.ioctl(0, SyncobjIoctls.WAIT, arg);
        return mem.readInt(arg + 24);
    }

    private void timelineWait(long timeoutNanos, int flags, int handle, long point) throws DrmException {
        clear(48);
        mem.writeInt(handles, handle);
        mem.writeLong(points, point);
        mem.writeLong(arg, handles);
        mem.writeLong(arg + 8, points);
        mem.writeLong(arg + 16, System.nanoTime() + timeoutNanos);
        mem.writeInt(arg + 24, 1);
        mem.writeInt(arg + 28, flags);
        client.ioctl(0, SyncobjIoctls.TIMELINE_WAIT, arg);
    }

    private void array(int cmd, int handle) throws DrmException {
        clear(16);
        mem.writeInt(handles, handle);
        mem.writeLong(arg, handles);
        mem.writeInt(arg + 8, 1);
        client.ioctl(0, cmd, arg);
    }

    private long timelineArray(int cmd, int handle, long point, int flags) throws DrmException {
        clear(24);
        mem.writeInt(handles, handle);
        mem.writeLong(points, point);
        mem.writeLong(arg, handles);
        mem.writeLong(arg + 8, points);
        mem.writeInt(arg + 16, 1);
        mem.writeInt(arg + 20, flags);
        client.ioctl(0, cmd, arg);
        return mem.readLong(points);
    }

    @Test
    void createAndDestroyCheckTheirArguments() throws DrmException {
        int h = create(0);
        assertEquals(1, h);
        assertEquals(2, create(SyncobjIoctls.CREATE_SIGNALED));
        mem.writeLong(arg, 2L << 32);
        assertEquals(Errno.EINVAL, errno(() -> client.ioctl(0, SyncobjIoctls.CREATE, arg)), "unknown flag");
        mem.writeLong(arg, ((long) 1 << 32) | h);
        assertEquals(Errno.EINVAL, errno(() -> client.ioctl(0, SyncobjIoctls.DESTROY, arg)), "pad");
        mem.writeLong(arg, h);
        client.ioctl(0, SyncobjIoctls.DESTROY, arg);
        assertEquals(Errno.EINVAL, errno(() -> client.ioctl(0, SyncobjIoctls.DESTROY, arg)), "unknown handle");
        assertEquals(Errno.ENOENT, errno(() -> syncobjs.lookup(file, h)));
    }

    @Test
    void binaryWaitSignalResetAndTimeout() throws Exception {
        int h = create(0);
        assertEquals(Errno.EINVAL, errno(() -> waitBinary(0, 0, h)), "no fence and no WAIT_FOR_SUBMIT");
        assertEquals(Errno.ETIME, errno(() -> waitBinary(5 * MS, SyncobjService.WAIT_FOR_SUBMIT, h)));
        array(SyncobjIoctls.SIGNAL, h);
        waitBinary(0, 0, h);
        array(SyncobjIoctls.RESET, h);
        assertEquals(Errno.EINVAL, errno(() -> waitBinary(0, 0, h)));
        SignalableFence fence = ring.next();
        syncobjs.lookup(file, h).replaceFence(fence);
        assertEquals(Errno.ETIME, errno(() -> waitBinary(2 * MS, 0, h)));
        Thread.ofVirtual().start(() -> {
            sleep(10);
            signal(fence);
        });
        waitBinary(10_000 * MS, 0, h);
        assertEquals(Errno.ENOENT, errno(() -> waitBinary(0, 0, h, 99)), "unknown handle in the array");
    }

    @Test
    void anyWaitReportsTheFirstSignaled() throws DrmException {
        int a = create(0);
        int b = create(0);
        syncobjs.lookup(file, a).replaceFence(ring.next());
        SignalableFence fb = ring.next();
        syncobjs.lookup(file, b).replaceFence(fb);
        signal(fb);
        assertEquals(1, waitBinary(0, 0, a, b));
        assertEquals(Errno.ETIME, errno(() -> waitBinary(MS, SyncobjService.WAIT_ALL, a, b)));
    }

    @Test
    void waitAllSleepsWhileOnlySomeAreSignaled() throws Exception {
        int a = create(0);
        int b = create(0);
        SignalableFence fa = ring.next();
        syncobjs.lookup(file, a).replaceFence(fa);
        SignalableFence fb = ring.next();
        syncobjs.lookup(file, b).replaceFence(fb);
        signal(fa);
        // A waiter that re-evaluated on every already-signalled fence would burn the whole wait on CPU.
        long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        assertEquals(Errno.ETIME, errno(() -> waitBinary(300 * MS, SyncobjService.WAIT_ALL, a, b)));
        long spent = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu;
        assertTrue(spent < 100 * MS, "the waiter spun for " + spent / MS + " ms of CPU");
        Thread.ofVirtual().start(() -> {
            sleep(10);
            signal(fb);
        });
        assertEquals(0, waitBinary(10_000 * MS, SyncobjService.WAIT_ALL, a, b));
    }

    @Test
    void waitForSubmitWakesEveryWaiter() throws Exception {
        int h = create(0);
        SyncObj syncobj = syncobjs.lookup(file, h);
        int waiters = 200;
        CountDownLatch done = new CountDownLatch(waiters);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < waiters; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    syncobjs.await(List.of((Syncobj) syncobj), new long[] {3}, SyncobjService.WAIT_FOR_SUBMIT,
                            System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
                    done.countDown();
                } catch (DrmException | RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        SignalableFence f = ring.next();
        syncobj.addPoint(f, 3);
        signal(f);
        assertTrue(done.await(30, TimeUnit.SECONDS), "lost wake-ups: " + done.getCount());
        assertEquals(null, failure.get());
    }

    @Test
    void timelinePointsSignalQueryAndWait() throws DrmException {
        int h = create(0);
        timelineArray(SyncobjIoctls.TIMELINE_SIGNAL, h, 2, 0);
        assertEquals(2, timelineArray(SyncobjIoctls.QUERY, h, 0, 0));
        SyncObj syncobj = syncobjs.lookup(file, h);
        SignalableFence f5 = ring.next();
        syncobj.addPoint(f5, 5);
        assertEquals(2, timelineArray(SyncobjIoctls.QUERY, h, 0, 0), "5 is submitted, not signalled");
        assertEquals(5, timelineArray(SyncobjIoctls.QUERY, h, 0, SyncobjIoctls.QUERY_LAST_SUBMITTED));
        timelineWait(0, 0, h, 2);
        assertEquals(Errno.ETIME, errno(() -> timelineWait(MS, 0, h, 4)));
        timelineWait(0, SyncobjService.WAIT_AVAILABLE, h, 4);
        assertEquals(Errno.EINVAL, errno(() -> timelineWait(0, 0, h, 9)), "not submitted");
        signal(f5);
        timelineWait(0, 0, h, 5);
        assertEquals(5, timelineArray(SyncobjIoctls.QUERY, h, 0, 0));
        assertEquals(Errno.EINVAL, errno(() -> timelineArray(SyncobjIoctls.QUERY, h, 0, 4)), "bad flag");
    }

    /**
     * Timeline points are u64, as in the kernel: TIMELINE_SIGNAL of several handles with points
     * from 2^63 up applies to every handle (before, the third one failed EINVAL after the first
     * two had changed), and such points are queried and waited on like any other. With a bad
     * handle anywhere in the array, nothing changes.
     */
    @Test
    void timelineSignalOfSeveralHandlesTakesU64PointsAndAppliesWhole() throws DrmException {
        int[] hs = {create(0), create(0), create(0)};
        long[] ps = {7, 1L << 63, -2L}; // 7, 2^63, 2^64 - 2
        clear(24);
        for (int i = 0; i < hs.length; i++) {
            mem.writeInt(handles + 4L * i, hs[i]);
            mem.writeLong(points + 8L * i, ps[i]);
        }
        mem.writeLong(arg, handles);
        mem.writeLong(arg + 8, points);
        mem.writeInt(arg + 16, hs.length);
        client.ioctl(0, SyncobjIoctls.TIMELINE_SIGNAL, arg);
        for (int i = 0; i < hs.length; i++) {
            assertEquals(ps[i], timelineArray(SyncobjIoctls.QUERY, hs[i], 0, 0), "handle " + i);
            timelineWait(0, 0, hs[i], ps[i]);
        }
        // a point above 2^63 comes after one below it
        timelineArray(SyncobjIoctls.TIMELINE_SIGNAL, hs[0], 1L << 63, 0);
        assertEquals(1L << 63, timelineArray(SyncobjIoctls.QUERY, hs[0], 0, SyncobjIoctls.QUERY_LAST_SUBMITTED));
        timelineWait(0, 0, hs[0], 9);

        int fresh = create(0);
        clear(24);
        mem.writeInt(handles, fresh);
        mem.writeInt(handles + 4, 999); // no such handle
        mem.writeLong(points, 3);
        mem.writeLong(points + 8, 4);
        mem.writeLong(arg, handles);
        mem.writeLong(arg + 8, points);
        mem.writeInt(arg + 16, 2);
        assertEquals(Errno.ENOENT, errno(() -> client.ioctl(0, SyncobjIoctls.TIMELINE_SIGNAL, arg)));
        assertEquals(0, timelineArray(SyncobjIoctls.QUERY, fresh, 0, SyncobjIoctls.QUERY_LAST_SUBMITTED),
                "the good handle before the bad one is unchanged");
    }

    /**
     * A point signalled below the last one starts a new context at the higher seqno
     * ({@code dma_fence_chain_init}): QUERY answers 5 after 5 then 3, not 3. A point above 0 of
     * a syncobj that holds a plain fence is EINVAL, as {@code dma_fence_chain_find_seqno} says.
     */
    @Test
    void anOutOfOrderPointKeepsTheHigherPointAndPlainFencesHaveNoPoints() throws DrmException {
        int h = create(0);
        timelineArray(SyncobjIoctls.TIMELINE_SIGNAL, h, 5, 0);
        timelineArray(SyncobjIoctls.TIMELINE_SIGNAL, h, 3, 0);
        assertEquals(5, timelineArray(SyncobjIoctls.QUERY, h, 0, 0));
        assertEquals(5, timelineArray(SyncobjIoctls.QUERY, h, 0, SyncobjIoctls.QUERY_LAST_SUBMITTED));
        timelineArray(SyncobjIoctls.TIMELINE_SIGNAL, h, 0, 0);
        assertEquals(5, timelineArray(SyncobjIoctls.QUERY, h, 0, 0), "point 0 is added too, at the last point");
        int fresh = create(0);
        timelineArray(SyncobjIoctls.TIMELINE_SIGNAL, fresh, 0, 0);
        assertEquals(0, waitBinary(0, 0, fresh), "a fresh syncobj signalled at point 0 has a signalled fence");
        int plain = create(SyncobjIoctls.CREATE_SIGNALED);
        assertEquals(Errno.EINVAL, errno(() -> syncobjs.lookup(file, plain).find(1)));
        assertSame(syncobjs.lookup(file, plain).fence(), syncobjs.lookup(file, plain).find(0));
    }

    /** HANDLE_TO_FD / FD_TO_HANDLE with every field given; the struct after the call. */
    private long handleFd(int cmd, int handle, int flags, int fd, long point) throws DrmException {
        clear(24);
        mem.writeInt(arg, handle);
        mem.writeInt(arg + 4, flags);
        mem.writeInt(arg + 8, fd);
        mem.writeLong(arg + 16, point);
        client.ioctl(0, cmd, arg);
        return arg;
    }

    /**
     * The newest kernel's HANDLE_TO_FD / FD_TO_HANDLE answers: an unknown handle is EINVAL for a
     * syncobj export but ENOENT for a sync-file export ({@code drm_syncobj_find_fence}); a
     * descriptor that is not open, or not a syncobj (sync file), is EINVAL; TIMELINE alone is a
     * plain export at point 0 and EINVAL at another point; with EXPORT/IMPORT_SYNC_FILE it names
     * the point.
     */
    @Test
    void handleAndFdConversionsAnswerAsTheKernel() throws DrmException {
        int h = create(0);
        int tf = SyncobjIoctls.HANDLE_FD_TIMELINE;
        assertEquals(Errno.EINVAL, errno(() -> handleFd(SyncobjIoctls.HANDLE_TO_FD, 99, 0, 0, 0)));
        assertEquals(Errno.ENOENT, errno(() -> handleFd(SyncobjIoctls.HANDLE_TO_FD, 99,
                SyncobjIoctls.HANDLE_TO_FD_EXPORT_SYNC_FILE, 0, 0)));
        assertEquals(Errno.EINVAL, errno(() -> handleFd(SyncobjIoctls.HANDLE_TO_FD, h, tf, 0, 3)), "a point, no sync file");
        assertEquals(Errno.EINVAL, errno(() -> handleFd(SyncobjIoctls.HANDLE_TO_FD, h, 0, 0, 3)), "a point, no flag");
        int exported = mem.readInt(handleFd(SyncobjIoctls.HANDLE_TO_FD, h, tf, 0, 0) + 8);
        assertEquals(Errno.EINVAL, errno(() -> handleFd(SyncobjIoctls.FD_TO_HANDLE, 0, 0, 77, 0)), "no such fd");
        assertEquals(Errno.EINVAL, errno(() -> handleFd(SyncobjIoctls.FD_TO_HANDLE, 0, 0, 0, 0)), "fd 0 is the DRM file");
        assertEquals(Errno.EINVAL, errno(() -> handleFd(SyncobjIoctls.FD_TO_HANDLE, h,
                SyncobjIoctls.FD_TO_HANDLE_IMPORT_SYNC_FILE, 77, 0)), "no such sync file");
        assertEquals(Errno.EINVAL, errno(() -> handleFd(SyncobjIoctls.FD_TO_HANDLE, h,
                SyncobjIoctls.FD_TO_HANDLE_IMPORT_SYNC_FILE, exported, 0)), "a syncobj fd is not a sync file");
        int imported = mem.readInt(handleFd(SyncobjIoctls.FD_TO_HANDLE, 0, tf, exported, 0));
        assertSame(syncobjs.lookup(file, h), syncobjs.lookup(file, imported));

        SignalableFence f = ring.next();
        syncobjs.lookup(file, h).addPoint(f, 4);
        int syncFile = mem.readInt(handleFd(SyncobjIoctls.HANDLE_TO_FD, h,
                SyncobjIoctls.HANDLE_TO_FD_EXPORT_SYNC_FILE | tf, 0, 4) + 8);
        assertEquals(Errno.ENOENT, errno(() -> handleFd(SyncobjIoctls.FD_TO_HANDLE, 99,
                SyncobjIoctls.FD_TO_HANDLE_IMPORT_SYNC_FILE, syncFile, 0)), "a good sync file, an unknown handle");
        int other = create(0);
        handleFd(SyncobjIoctls.FD_TO_HANDLE, other, SyncobjIoctls.FD_TO_HANDLE_IMPORT_SYNC_FILE | tf, syncFile, 7);
        assertEquals(7, timelineArray(SyncobjIoctls.QUERY, other, 0, SyncobjIoctls.QUERY_LAST_SUBMITTED));
        signal(f);
        assertEquals(7, timelineArray(SyncobjIoctls.QUERY, other, 0, 0));
    }

    /** TRANSFER's order of checks and its bounded WAIT_FOR_SUBMIT. */
    @Test
    void transferChecksInTheKernelsOrderAndWaitsForSubmit() throws Exception {
        int src = create(0);
        int dst = create(0);
        clear(32);
        mem.writeInt(arg, src);
        mem.writeInt(arg + 4, 99);
        mem.writeInt(arg + 24, 0x40);
        assertEquals(Errno.ENOENT, errno(() -> client.ioctl(0, SyncobjIoctls.TRANSFER, arg)), "the destination first");
        mem.writeInt(arg + 4, dst);
        assertEquals(Errno.EINVAL, errno(() -> client.ioctl(0, SyncobjIoctls.TRANSFER, arg)), "then the flags");
        mem.writeInt(arg, 98);
        mem.writeInt(arg + 24, 0);
        assertEquals(Errno.ENOENT, errno(() -> client.ioctl(0, SyncobjIoctls.TRANSFER, arg)), "then the source");
        mem.writeInt(arg, src);
        mem.writeLong(arg + 8, 3);
        assertEquals(Errno.EINVAL, errno(() -> client.ioctl(0, SyncobjIoctls.TRANSFER, arg)), "no fence for point 3");
        // with WAIT_FOR_SUBMIT it waits for point 3 to be submitted
        mem.writeInt(arg + 24, SyncobjService.WAIT_FOR_SUBMIT);
        SignalableFence f = ring.next();
        Thread submitter = Thread.ofPlatform().start(() -> {
            sleep(50);
            try {
                syncobjs.lookup(file, src).addPoint(f, 3);
            } catch (DrmException e) {
                throw new AssertionError(e);
            }
        });
        client.ioctl(0, SyncobjIoctls.TRANSFER, arg);
        submitter.join();
        assertSame(syncobjs.lookup(file, src).find(3), syncobjs.lookup(file, dst).fence());
    }

    /**
     * A wait takes each fence once: a reset or a new fence on the syncobj while it waits does not
     * change what it waits for (before, the wait re-read the syncobj and timed out). With
     * WAIT_AVAILABLE an unsubmitted point is waited for like with WAIT_FOR_SUBMIT: ETIME when it
     * does not come, or another entry answers an ANY wait.
     */
    @Test
    void waitsTakeEachFenceOnceAndAvailableWaitsForUnsubmittedPoints() throws Exception {
        int h = create(0);
        SignalableFence f = ring.next();
        syncobjs.lookup(file, h).replaceFence(f);
        java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        Client other = client;
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                long a = other.memory().map(64);
                long hs = a + 40;
                other.memory().writeInt(hs, h);
                other.memory().writeLong(a, hs);
                other.memory().writeLong(a + 8, System.nanoTime() + 20_000 * MS);
                other.memory().writeInt(a + 16, 1);
                other.ioctl(0, SyncobjIoctls.WAIT, a);
                outcome.set("signalled");
            } catch (DrmException e) {
                outcome.set(e.errno());
            }
        });
        long until = System.nanoTime() + 10_000 * MS;
        while (waiter.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < until) {
            Thread.onSpinWait(); // the wait has taken its fence once it parks
        }
        array(SyncobjIoctls.RESET, h);
        syncobjs.lookup(file, h).replaceFence(ring.next());
        assertEquals(null, outcome.get(), "still waiting for the fence it took");
        signal(f);
        waiter.join();
        assertEquals("signalled", outcome.get());

        int t = create(0);
        assertEquals(Errno.ETIME, errno(() -> timelineWait(5 * MS, SyncobjService.WAIT_AVAILABLE, t, 9)),
                "an unsubmitted point is waited for, not EINVAL");
        int done = create(SyncobjIoctls.CREATE_SIGNALED);
        clear(48);
        mem.writeInt(handles, t);
        mem.writeInt(handles + 4, done);
        mem.writeLong(points, 9);
        mem.writeLong(points + 8, 0);
        mem.writeLong(arg, handles);
        mem.writeLong(arg + 8, points);
        mem.writeLong(arg + 16, System.nanoTime() + 1000 * MS);
        mem.writeInt(arg + 24, 2);
        mem.writeInt(arg + 28, SyncobjService.WAIT_AVAILABLE);
        client.ioctl(0, SyncobjIoctls.TIMELINE_WAIT, arg);
        assertEquals(1, mem.readInt(arg + 32), "the other entry answers the ANY wait");
    }

    @Test
    void transferMovesFencesBetweenTimelineAndBinary() throws DrmException {
        int timeline = create(0);
        int binary = create(0);
        SignalableFence f = ring.next();
        syncobjs.lookup(file, timeline).addPoint(f, 7);
        clear(32);
        mem.writeInt(arg, timeline);
        mem.writeInt(arg + 4, binary);
        mem.writeLong(arg + 8, 7);
        client.ioctl(0, SyncobjIoctls.TRANSFER, arg);
        assertSame(syncobjs.lookup(file, timeline).find(7), syncobjs.lookup(file, binary).fence());
        clear(32);
        mem.writeInt(arg, binary);
        mem.writeInt(arg + 4, timeline);
        mem.writeLong(arg + 16, 9);
        client.ioctl(0, SyncobjIoctls.TRANSFER, arg);
        assertEquals(9, syncobjs.lookup(file, timeline).submittedPoint());
        mem.writeInt(arg + 28, 1);
        assertEquals(Errno.EINVAL, errno(() -> client.ioctl(0, SyncobjIoctls.TRANSFER, arg)), "pad");
    }

    @Test
    void exportAndImportAsFdAndSyncFile() throws DrmException {
        int h = create(0);
        SignalableFence f = ring.next();
        syncobjs.lookup(file, h).replaceFence(f);
        clear(24);
        mem.writeInt(arg, h);
        client.ioctl(0, SyncobjIoctls.HANDLE_TO_FD, arg);
        int syncobjFd = mem.readInt(arg + 8);
        clear(24);
        mem.writeInt(arg + 8, syncobjFd);
        client.ioctl(0, SyncobjIoctls.FD_TO_HANDLE, arg);
        int again = mem.readInt(arg);
        assertSame(syncobjs.lookup(file, h), syncobjs.lookup(file, again), "the same syncobj behind a new handle");

        clear(24);
        mem.writeInt(arg, h);
        mem.writeInt(arg + 4, SyncobjIoctls.HANDLE_TO_FD_EXPORT_SYNC_FILE);
        client.ioctl(0, SyncobjIoctls.HANDLE_TO_FD, arg);
        int syncFile = mem.readInt(arg + 8);
        int other = create(0);
        clear(24);
        mem.writeInt(arg, other);
        mem.writeInt(arg + 4, SyncobjIoctls.FD_TO_HANDLE_IMPORT_SYNC_FILE);
        mem.writeInt(arg + 8, syncFile);
        client.ioctl(0, SyncobjIoctls.FD_TO_HANDLE, arg);
        assertSame(f, syncobjs.lookup(file, other).fence());

        mem.writeInt(arg + 8, syncobjFd);
        assertEquals(Errno.EINVAL, errno(() -> client.ioctl(0, SyncobjIoctls.FD_TO_HANDLE, arg)),
                "a syncobj fd is not a sync file");
        int empty = create(0);
        clear(24);
        mem.writeInt(arg, empty);
        mem.writeInt(arg + 4, SyncobjIoctls.HANDLE_TO_FD_EXPORT_SYNC_FILE);
        assertEquals(Errno.EINVAL, errno(() -> client.ioctl(0, SyncobjIoctls.HANDLE_TO_FD, arg)), "no fence");
    }

    @Test
    void closingTheFileReleasesHandles() throws DrmException {
        create(0);
        create(0);
        client.close(0);
        assertEquals(Errno.ENOENT, errno(() -> syncobjs.lookup(file, 1)));
    }

    private static void signal(SignalableFence fence) {
        try {
            fence.signal();
        } catch (DrmException e) {
            throw new AssertionError(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void eventfd(int h, long point, int flags, int fd) throws DrmException {
        clear(24);
        mem.writeInt(arg, h);
        mem.writeInt(arg + 4, flags);
        mem.writeLong(arg + 8, point);
        mem.writeInt(arg + 16, fd);
        client.ioctl(0, SyncobjIoctls.EVENTFD, arg);
    }

    /**
     * SYNCOBJ_EVENTFD: the counter gets one when the point is there (WAIT_AVAILABLE) or has
     * signalled, following the syncobj's fence as it is replaced; the kernel's errnos.
     */
    @Test
    void eventfdAddsOneWhenThePointIsThereOrHasSignalled() throws DrmException {
        java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        kiln.drm.api.file.EventCounter counter = () -> new kiln.drm.api.file.EventCounter.Registration() {
            @Override
            public void signal() {
                count.incrementAndGet();
            }

            @Override
            public void cancel() {
            }
        };
        int efd = client.install(counter);
        int h = create(0);
        eventfd(h, 3, 0, efd);
        eventfd(h, 3, SyncobjService.WAIT_AVAILABLE, efd);
        assertEquals(0, count.get());
        SignalableFence f3 = ring.next();
        syncobjs.lookup(file, h).addPoint(f3, 3);
        assertEquals(1, count.get(), "available");
        signal(f3);
        assertEquals(2, count.get(), "signalled");
        eventfd(h, 3, 0, efd);
        assertEquals(3, count.get(), "signalled already: at once");

        int binary = create(0);
        eventfd(binary, 0, 0, efd);
        SignalableFence first = ring.next();
        syncobjs.lookup(file, binary).replaceFence(first);
        SignalableFence second = ring.next();
        syncobjs.lookup(file, binary).replaceFence(second);
        signal(first);
        assertEquals(3, count.get(), "the replaced fence no longer counts");
        signal(second);
        assertEquals(4, count.get(), "the fence that replaced it does");

        assertEquals(Errno.EINVAL, errno(() -> eventfd(h, 3, 1, efd)), "only WAIT_AVAILABLE");
        assertEquals(Errno.ENOENT, errno(() -> eventfd(999, 3, 0, efd)));
        assertEquals(Errno.EBADF, errno(() -> eventfd(h, 3, 0, 77)));
        int notCounter = client.install(new Object());
        assertEquals(Errno.EINVAL, errno(() -> eventfd(h, 3, 0, notCounter)));
        mem.writeInt(arg + 20, 1);
        assertEquals(Errno.EINVAL, errno(() -> client.ioctl(0, SyncobjIoctls.EVENTFD, arg)), "pad");
        assertEquals(4, count.get(), "no refused call counted");
    }
}
