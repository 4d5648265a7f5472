package kiln.drm.impl.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceContext;
import kiln.drm.api.fence.SignalableFence;
import kiln.drm.api.sched.Entity;
import kiln.drm.api.sched.Job;
import kiln.drm.api.sched.JobBackend;
import kiln.drm.api.sched.Priority;
import kiln.drm.api.sched.Scheduler;
import kiln.drm.api.sched.TimeoutStatus;
import kiln.drm.impl.fence.FenceService;

class SchedulerTest {
    private final FenceService fences = new FenceService();
    private final SchedulerService service = new SchedulerService(fences);
    private final FenceContext hwRing = fences.createContext("hw", "ring");
    private final List<Scheduler<?>> made = new ArrayList<>();

    /** A backend that records what happens and hands out hardware fences the test signals. */
    class Recorder implements JobBackend<String> {
        final List<String> ran = Collections.synchronizedList(new ArrayList<>());
        final Map<String, SignalableFence> hw = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> frees = new ConcurrentHashMap<>();
        final List<String> timedOut = Collections.synchronizedList(new ArrayList<>());
        final List<String> cancelled = Collections.synchronizedList(new ArrayList<>());
        /** How many timeouts answer NO_HANG before the job is declared hung. */
        volatile int notHung;
        /** Whether cancel signals the hardware fence (as a driver must) or only records. */
        volatile boolean cancelSignals;
        volatile boolean synchronous;
        volatile DmaFence prepareFence;
        final Map<String, AtomicInteger> prepares = new ConcurrentHashMap<>();

        @Override
        public DmaFence prepare(Job<String> job) {
            prepares.computeIfAbsent(job.data(), k -> new AtomicInteger()).incrementAndGet();
            DmaFence f = prepareFence;
            prepareFence = null;
            return f;
        }

        @Override
        public DmaFence run(Job<String> job) throws DrmException {
            ran.add(job.data());
            if (job.data().startsWith("fail")) {
                throw new DrmException(Errno.EIO, "hardware refused");
            }
            if (synchronous) {
                return null;
            }
            SignalableFence f = hwRing.next();
            hw.put(job.data(), f);
            return f;
        }

        @Override
        public TimeoutStatus timedOut(Job<String> job) {
            timedOut.add(job.data());
            if (notHung > 0) {
                notHung--;
                return TimeoutStatus.NO_HANG;
            }
            try {
                hw.get(job.data()).signal(Errno.ETIMEDOUT);
            } catch (DrmException e) {
                throw new AssertionError(e);
            }
            return TimeoutStatus.NOMINAL;
        }

        @Override
        public void cancel(Job<String> job) {
            cancelled.add(job.data());
            if (cancelSignals) {
                try {
                    hw.get(job.data()).signal(Errno.ECANCELED);
                } catch (DrmException e) {
                    throw new AssertionError(e);
                }
            }
        }

        @Override
        public void free(Job<String> job) {
            frees.computeIfAbsent(job.data(), k -> new AtomicInteger()).incrementAndGet();
        }

        void signal(String job) throws DrmException {
            await(() -> hw.containsKey(job), job + " to run");
            hw.get(job).signal();
        }
    }

    private Scheduler<String> scheduler(Recorder backend, int credits) throws DrmException {
        Scheduler<String> s = service.create("test", credits, Duration.ofSeconds(30), backend);
        made.add(s);
        return s;
    }

    @AfterEach
    void finish() {
        made.forEach(Scheduler::fini);
    }

    private static Job<String> push(Entity<String> entity, String data, DmaFence... deps) throws DrmException {
        var pending = entity.newJob(data, 1);
        for (DmaFence d : deps) {
            pending.addDependency(d);
        }
        return pending.push();
    }

    static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private static void waitFor(DmaFence fence) throws InterruptedException {
        assertTrue(fence.await(10, TimeUnit.SECONDS) > 0, "fence " + fence + " never signalled");
    }

    @Test
    void aJobRunsAndItsFencesSignalInOrderThenItIsFreedOnce() throws Exception {
        Recorder backend = new Recorder();
        Scheduler<String> s = scheduler(backend, 4);
        Job<String> job = push(s.createEntity(Priority.NORMAL), "a");
        waitFor(job.scheduled());
        assertFalse(job.finished().isSignaled());
        backend.signal("a");
        waitFor(job.finished());
        await(() -> backend.frees.containsKey("a"), "free");
        assertEquals(1, backend.frees.get("a").get());
        assertEquals(1, s.completed());
        assertEquals(0, s.creditsInUse());
    }

    @Test
    void dependenciesAndPrepareHoldTheJobBack() throws Exception {
        Recorder backend = new Recorder();
        Scheduler<String> s = scheduler(backend, 4);
        SignalableFence dep = hwRing.next();
        SignalableFence ringSpace = hwRing.next();
        backend.prepareFence = ringSpace;
        Job<String> job = push(s.createEntity(Priority.NORMAL), "dep", dep);
        Thread.sleep(20);
        assertTrue(backend.ran.isEmpty());
        dep.setError(Errno.EIO);
        dep.signal();
        Thread.sleep(20);
        assertTrue(backend.ran.isEmpty(), "prepare's fence still blocks");
        ringSpace.signal();
        await(() -> backend.ran.contains("dep"), "run");
        backend.signal("dep");
        waitFor(job.finished());
        assertEquals(Errno.EIO, job.finished().error(), "a failed dependency's error reaches the finished fence");
    }

    @Test
    void creditLimitBoundsTheJobsOnTheHardware() throws Exception {
        Recorder backend = new Recorder();
        Scheduler<String> s = scheduler(backend, 2);
        Entity<String> e = s.createEntity(Priority.NORMAL);
        push(e, "1");
        push(e, "2");
        Job<String> third = push(e, "3");
        await(() -> backend.ran.size() == 2, "two jobs running");
        Thread.sleep(20);
        assertEquals(2, backend.ran.size());
        assertEquals(2, s.creditsInUse());
        backend.signal("1");
        waitFor(third.scheduled());
        assertEquals(List.of("1", "2", "3"), backend.ran);
        assertEquals(1, backend.prepares.get("3").get(), "prepare is not asked again once it said the job can run");
    }

    @Test
    void finishedFencesSignalInPushOrderPerEntity() throws Exception {
        Recorder backend = new Recorder();
        Scheduler<String> s = scheduler(backend, 4);
        Entity<String> e = s.createEntity(Priority.NORMAL);
        Job<String> first = push(e, "first");
        Job<String> second = push(e, "second");
        backend.signal("second");
        Thread.sleep(20);
        assertFalse(second.finished().isSignaled(), "waits for the earlier job");
        backend.signal("first");
        waitFor(second.finished());
        assertTrue(first.finished().isSignaled());
    }

    @Test
    void higherPriorityRunsFirstAndEqualPrioritiesTakeTurns() throws Exception {
        Recorder backend = new Recorder();
        Scheduler<String> s = scheduler(backend, 1);
        Entity<String> a = s.createEntity(Priority.NORMAL);
        Entity<String> b = s.createEntity(Priority.NORMAL);
        Entity<String> high = s.createEntity(Priority.HIGH);
        push(a, "gate");
        await(() -> backend.ran.contains("gate"), "the gate job holds the only credit");
        backend.synchronous = true;
        for (int i = 0; i < 3; i++) {
            push(a, "a" + i);
            push(b, "b" + i);
        }
        push(high, "h");
        backend.signal("gate");
        await(() -> backend.ran.size() == 8, "all jobs");
        assertEquals(List.of("gate", "h", "b0", "a0", "b1", "a1", "b2", "a2"), backend.ran,
                "HIGH first, then NORMAL entities in turn");
    }

    @Test
    void timedOutJobsAreReportedOnce() throws Exception {
        Recorder backend = new Recorder();
        Scheduler<String> s = service.create("timeout", 4, Duration.ofMillis(20), backend);
        made.add(s);
        Job<String> job = push(s.createEntity(Priority.NORMAL), "slow");
        waitFor(job.finished());
        assertEquals(Errno.ETIMEDOUT, job.finished().error());
        assertEquals(List.of("slow"), backend.timedOut);
    }

    /**
     * A backend that answers NO_HANG has the timeout re-armed and is asked again after another
     * period ({@code DRM_GPU_SCHED_STAT_NO_HANG}); before, timedOut came at most once per job.
     * Other jobs' timeouts are not held up by the re-armed one.
     */
    @Test
    void aJobThatIsNotHungHasItsTimeoutRearmed() throws Exception {
        Recorder backend = new Recorder();
        backend.notHung = 2;
        Scheduler<String> s = service.create("rearm", 4, Duration.ofMillis(20), backend);
        made.add(s);
        Entity<String> e = s.createEntity(Priority.NORMAL);
        Job<String> slow = push(e, "slow");
        waitFor(slow.finished());
        assertEquals(Errno.ETIMEDOUT, slow.finished().error());
        assertEquals(List.of("slow", "slow", "slow"), backend.timedOut, "two NO_HANG answers, then hung");
        backend.timedOut.clear();
        backend.notHung = 1;
        Job<String> first = push(e, "first");
        Job<String> second = push(e, "second");
        waitFor(second.finished());
        waitFor(first.finished());
        assertEquals(3, backend.timedOut.size(), "first twice (re-armed once), second once: " + backend.timedOut);
    }

    /**
     * At teardown the backend hears of every job it still owns ({@code cancel_job}) and signals
     * its hardware fence ECANCELED; jobs already finished or never run are not cancelled.
     */
    @Test
    void finiCancelsTheJobsTheBackendStillOwns() throws Exception {
        Recorder backend = new Recorder();
        backend.cancelSignals = true;
        Scheduler<String> s = scheduler(backend, 2);
        Entity<String> e = s.createEntity(Priority.NORMAL);
        push(e, "done");
        backend.signal("done");
        await(() -> backend.frees.containsKey("done"), "done freed");
        push(e, "a");
        push(e, "b");
        push(e, "queued");
        await(() -> backend.ran.size() == 3, "two on the hardware");
        s.fini();
        assertEquals(List.of("a", "b"), backend.cancelled);
        assertEquals(Errno.ECANCELED, backend.hw.get("a").error());
        assertEquals(Errno.ECANCELED, backend.hw.get("b").error());
        for (String job : List.of("done", "a", "b", "queued")) {
            assertEquals(1, backend.frees.get(job).get(), job + " freed once");
        }
    }

    /**
     * {@code drm_sched_entity_destroy} of a live process flushes: a job still queued that becomes
     * runnable within the bound reaches the hardware instead of being dropped; one that cannot is
     * dropped when the bound runs out. A dying process's entity ({@code kill}) drops its queue at once.
     */
    @Test
    void destroyFlushesQueuedJobsWithinTheBoundAndKillDropsThemAtOnce() throws Exception {
        Recorder backend = new Recorder();
        Scheduler<String> s = scheduler(backend, 1);
        Entity<String> e = s.createEntity(Priority.NORMAL);
        push(e, "first");
        Job<String> second = push(e, "second"); // held back by the credit limit
        await(() -> backend.ran.contains("first"), "first on the hardware");
        Thread destroyer = Thread.ofPlatform().start(e::destroy);
        await(() -> destroyer.getState() == Thread.State.TIMED_WAITING, "the destroy flushing");
        backend.signal("first"); // the credit frees during the flush
        destroyer.join();
        // the flush ends once the scheduler took the job (the queue is empty); run follows on its thread
        assertFalse(second.finished().isSignaled(), "the queued job was not dropped");
        await(() -> backend.ran.contains("second"), "the flushed job on the hardware");
        backend.signal("second");
        waitFor(second.finished());
        assertEquals(null, second.finished().error());

        Entity<String> stuck = s.createEntity(Priority.NORMAL);
        SignalableFence never = hwRing.next();
        Job<String> blocked = push(stuck, "blocked", never);
        long t0 = System.nanoTime();
        stuck.destroy();
        assertTrue(System.nanoTime() - t0 >= Entity.FLUSH_TIMEOUT.toNanos(), "it waited the whole bound");
        waitFor(blocked.finished());
        assertEquals(Errno.ESRCH, blocked.finished().error());

        Entity<String> dying = s.createEntity(Priority.NORMAL);
        Job<String> dropped = push(dying, "dropped", hwRing.next());
        long t1 = System.nanoTime();
        dying.kill();
        waitFor(dropped.finished());
        assertTrue(System.nanoTime() - t1 < Entity.FLUSH_TIMEOUT.toNanos(), "no flush for a dying process");
        assertEquals(Errno.ESRCH, dropped.finished().error());
        assertFalse(backend.ran.contains("blocked") || backend.ran.contains("dropped"));
    }

    /** {@code drm_sched_entity_set_priority}: the next choice already sees the new priority. */
    @Test
    void aNewPriorityTakesEffectAtTheNextChoice() throws Exception {
        Recorder backend = new Recorder();
        Scheduler<String> s = scheduler(backend, 1);
        Entity<String> low = s.createEntity(Priority.LOW);
        Entity<String> high = s.createEntity(Priority.HIGH);
        push(low, "blocker");
        await(() -> backend.ran.contains("blocker"), "blocker runs");
        push(high, "h1");
        push(low, "l1");
        low.setPriority(Priority.KERNEL); // taken by the scheduler before its next choice
        assertEquals(Priority.KERNEL, low.priority());
        backend.signal("blocker");
        await(() -> backend.ran.size() == 2, "the next job");
        assertEquals("l1", backend.ran.get(1), "the raised entity goes first");
    }

    @Test
    void failingRunFailsTheJob() throws Exception {
        Recorder backend = new Recorder();
        Scheduler<String> s = scheduler(backend, 4);
        Job<String> job = push(s.createEntity(Priority.NORMAL), "fail");
        waitFor(job.finished());
        assertEquals(Errno.EIO, job.finished().error());
        await(() -> backend.frees.containsKey("fail"), "free");
    }

    @Test
    void destroyedEntitiesDropQueuedJobsAndRefusePushes() throws Exception {
        Recorder backend = new Recorder();
        Scheduler<String> s = scheduler(backend, 1);
        Entity<String> e = s.createEntity(Priority.NORMAL);
        push(e, "running");
        Job<String> queued = push(e, "queued");
        await(() -> backend.ran.contains("running"), "run");
        var unpushed = e.newJob("late", 1);
        e.destroy();
        waitFor(queued.finished());
        assertEquals(Errno.ESRCH, queued.finished().error());
        assertEquals(Errno.ENODEV, assertThrows(DrmException.class, unpushed::push).errno());
        assertEquals(Errno.ENODEV, unpushed.arm().finished().error());
        assertEquals(Errno.ENODEV, assertThrows(DrmException.class, () -> e.newJob("x", 1)).errno());
        backend.signal("running");
        await(() -> backend.frees.containsKey("running"), "running job completes");
        assertEquals(1, backend.frees.get("queued").get());
        assertFalse(backend.frees.containsKey("late"));
        assertFalse(backend.ran.contains("queued"));
    }

    @Test
    void finiFreesEveryJobExactlyOnceEvenIfHardwareSignalsLater() throws Exception {
        Recorder backend = new Recorder();
        Scheduler<String> s = scheduler(backend, 2);
        Entity<String> e = s.createEntity(Priority.NORMAL);
        List<Job<String>> jobs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            jobs.add(push(e, "j" + i));
        }
        await(() -> backend.ran.size() == 2, "two on the hardware");
        s.fini();
        for (int i = 0; i < 5; i++) {
            assertEquals(1, backend.frees.get("j" + i).get(), "j" + i);
            assertTrue(jobs.get(i).finished().isSignaled());
        }
        assertEquals(Errno.ECANCELED, jobs.get(0).finished().error());
        assertEquals(Errno.ESRCH, jobs.get(4).finished().error());
        backend.hw.get("j0").signal();
        backend.hw.get("j1").signal();
        Thread.sleep(10);
        assertEquals(1, backend.frees.get("j0").get(), "a late hardware signal frees nothing again");
        assertEquals(Errno.ENODEV, assertThrows(DrmException.class, () -> e.newJob("after", 1)).errno());
    }

    @Test
    void manyProducersEveryJobCompletesOnceAndInOrder() throws Exception {
        JobBackend<Integer> backend = new JobBackend<>() {
            final ConcurrentLinkedQueue<SignalableFence> inFlight = new ConcurrentLinkedQueue<>();
            final Thread completer = Thread.ofVirtual().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    SignalableFence f = inFlight.poll();
                    if (f == null) {
                        Thread.yield();
                        continue;
                    }
                    try {
                        f.signal();
                    } catch (DrmException e) {
                        throw new AssertionError(e);
                    }
                }
            });

            @Override
            public DmaFence run(Job<Integer> job) {
                SignalableFence f = hwRing.next();
                inFlight.add(f);
                return f;
            }

            @Override
            public TimeoutStatus timedOut(Job<Integer> job) {
                return TimeoutStatus.NOMINAL;
            }
        };
        Scheduler<Integer> s = service.create("mt", 8, Duration.ofSeconds(30), backend);
        int producers = 4;
        int perProducer = 5_000;
        List<Thread> threads = new ArrayList<>();
        List<List<Job<Integer>>> all = Collections.synchronizedList(new ArrayList<>());
        for (int p = 0; p < producers; p++) {
            Entity<Integer> entity = s.createEntity(Priority.NORMAL);
            threads.add(Thread.ofPlatform().start(() -> {
                List<Job<Integer>> mine = new ArrayList<>();
                try {
                    for (int i = 0; i < perProducer; i++) {
                        mine.add(entity.newJob(i, 1).push());
                    }
                } catch (DrmException e) {
                    throw new AssertionError(e);
                }
                all.add(mine);
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        for (List<Job<Integer>> mine : all) {
            waitFor(mine.get(mine.size() - 1).finished());
            for (Job<Integer> job : mine) {
                assertTrue(job.finished().isSignaled(), "in order: a later job finished before " + job);
                assertNull(job.finished().error());
            }
        }
        await(() -> s.completed() == (long) producers * perProducer, "every job completed");
        s.fini();
    }

    private Scheduler<String> scheduler(Recorder backend, int credits, String name) throws DrmException {
        Scheduler<String> s = service.create(name, credits, Duration.ofSeconds(30), backend);
        made.add(s);
        return s;
    }

    /** {@code drm_sched_entity_modify_sched} + {@code select_rq}: an idle entity goes to the least-loaded ring. */
    @Test
    void anIdleEntityMovesToTheLeastLoadedSchedulerAtItsNextArm() throws Exception {
        Recorder ring1 = new Recorder();
        Recorder ring2 = new Recorder();
        Scheduler<String> s1 = scheduler(ring1, 4, "ring1");
        Scheduler<String> s2 = scheduler(ring2, 4, "ring2");
        s1.createEntity(Priority.NORMAL); // s1 carries one more entity
        Entity<String> e = s1.createEntity(Priority.NORMAL);
        e.modifySchedulers(List.of(s1, s2));
        assertEquals(s1, e.scheduler(), "the move waits for the next arm");
        Job<String> j = push(e, "moved");
        assertEquals(s2, e.scheduler());
        ring2.signal("moved");
        waitFor(j.finished());
        assertFalse(ring1.ran.contains("moved"));
        await(() -> ring2.frees.containsKey("moved"), "freed by the ring it ran on");
    }

    /** The move never splits an entity's work in flight: order and completion hold across rings. */
    @Test
    void anEntityWithWorkInFlightStaysUntilAllOfItFinished() throws Exception {
        Recorder ring1 = new Recorder();
        Recorder ring2 = new Recorder();
        Scheduler<String> s1 = scheduler(ring1, 4, "ring1");
        Scheduler<String> s2 = scheduler(ring2, 4, "ring2");
        Entity<String> e = s1.createEntity(Priority.NORMAL);
        Job<String> j1 = push(e, "j1");
        e.modifySchedulers(List.of(s2));
        Job<String> j2 = push(e, "j2");
        assertEquals(s1, e.scheduler(), "j1 is still on the hardware");
        ring1.signal("j1");
        waitFor(j1.finished());
        Job<String> j3 = push(e, "j3");
        assertEquals(s1, e.scheduler(), "j2 has not finished");
        ring1.signal("j2");
        ring1.signal("j3");
        waitFor(j3.finished());
        assertTrue(j2.finished().isSignaled());
        Job<String> j4 = push(e, "j4");
        assertEquals(s2, e.scheduler(), "idle: it moves");
        ring2.signal("j4");
        waitFor(j4.finished());
        assertEquals(List.of("j1", "j2", "j3"), ring1.ran);
        assertEquals(List.of("j4"), ring2.ran);
        assertEquals(j3.finished().seqno() + 1, j4.finished().seqno(), "one fence context across rings");
        Job<String> j5 = push(e, "j5");
        assertEquals(s2, e.scheduler(), "a one-element list, once taken, is settled");
        ring2.signal("j5");
        waitFor(j5.finished());
    }

    @Test
    void aBadSchedulerListIsRefusedAndFinishedSchedulersAreSkipped() throws Exception {
        Recorder ring1 = new Recorder();
        Recorder ring2 = new Recorder();
        Scheduler<String> s1 = scheduler(ring1, 4, "ring1");
        Scheduler<String> s2 = scheduler(ring2, 4, "ring2");
        Entity<String> e = s1.createEntity(Priority.NORMAL);
        Scheduler<String> foreign = new SchedulerService(fences).create("foreign", 1, Duration.ofSeconds(1), ring2);
        made.add(foreign);
        assertEquals(Errno.EINVAL, assertThrows(DrmException.class, () -> e.modifySchedulers(List.of())).errno());
        assertEquals(Errno.EINVAL, assertThrows(DrmException.class, () -> e.modifySchedulers(null)).errno());
        assertEquals(Errno.EINVAL, assertThrows(DrmException.class,
                () -> e.modifySchedulers(java.util.Arrays.asList(s2, null))).errno());
        assertEquals(Errno.EINVAL, assertThrows(DrmException.class, () -> e.modifySchedulers(List.of(s2, foreign))).errno());
        Job<String> stays = push(e, "stays");
        assertEquals(s1, e.scheduler(), "a refused list changed nothing");
        ring1.signal("stays");
        waitFor(stays.finished());
        s2.fini();
        e.modifySchedulers(List.of(s2));
        Job<String> still = push(e, "still");
        assertEquals(s1, e.scheduler(), "a finished scheduler is no place to go");
        ring1.signal("still");
        waitFor(still.finished());
        assertNull(still.finished().error());
    }

    /**
     * Entities hopping between three rings while their priorities change: every job runs once, on
     * the ring it was armed on, is freed once, and each entity's fences signal in push order.
     */
    @Test
    void entitiesHoppingBetweenRingsLoseNothingAndKeepTheirOrder() throws Exception {
        List<Scheduler<Integer>> rings = new ArrayList<>();
        Map<Integer, AtomicInteger> frees = new ConcurrentHashMap<>();
        Map<Job<Integer>, Scheduler<Integer>> ranOn = new ConcurrentHashMap<>();
        for (int r = 0; r < 3; r++) {
            Scheduler<Integer>[] self = new Scheduler[1];
            JobBackend<Integer> backend = new JobBackend<>() {
                @Override
                public DmaFence run(Job<Integer> job) {
                    assertNull(ranOn.put(job, self[0]), "ran twice");
                    return null; // done at once: entities go idle often, so they move often
                }

                @Override
                public TimeoutStatus timedOut(Job<Integer> job) {
                    return TimeoutStatus.NOMINAL;
                }

                @Override
                public void free(Job<Integer> job) {
                    frees.computeIfAbsent(job.data(), k -> new AtomicInteger()).incrementAndGet();
                }
            };
            self[0] = service.create("hop" + r, 2, Duration.ofSeconds(30), backend);
            rings.add(self[0]);
        }
        int producers = 4;
        int perProducer = 3_000;
        List<Thread> threads = new ArrayList<>();
        List<List<Job<Integer>>> all = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger moves = new AtomicInteger();
        Map<Job<Integer>, Scheduler<Integer>> armed = new ConcurrentHashMap<>();
        for (int p = 0; p < producers; p++) {
            Entity<Integer> entity = rings.get(p % 3).createEntity(Priority.NORMAL);
            int base = p * perProducer;
            threads.add(Thread.ofPlatform().start(() -> {
                List<Job<Integer>> mine = new ArrayList<>();
                java.util.Random random = new java.util.Random(base);
                try {
                    for (int i = 0; i < perProducer; i++) {
                        List<Scheduler<Integer>> choice = new ArrayList<>(rings);
                        Collections.shuffle(choice, random);
                        entity.modifySchedulers(choice.subList(0, 1 + random.nextInt(3)));
                        if (random.nextInt(4) == 0) {
                            entity.setPriority(Priority.values()[random.nextInt(Priority.values().length)]);
                        }
                        Scheduler<Integer> before = entity.scheduler();
                        Job<Integer> job = entity.newJob(base + i, 1).push();
                        Scheduler<Integer> armedOn = entity.scheduler(); // only this thread arms: only it moves the entity
                        if (armedOn != before) {
                            moves.incrementAndGet();
                        }
                        armed.put(job, armedOn);
                        mine.add(job);
                        if (random.nextInt(3) == 0) {
                            waitFor(job.finished()); // idle now: the next arm may move it
                        }
                    }
                } catch (DrmException | InterruptedException e) {
                    throw new AssertionError(e);
                }
                all.add(mine);
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(producers, all.size(), "a producer failed");
        for (List<Job<Integer>> mine : all) {
            waitFor(mine.get(mine.size() - 1).finished());
            for (Job<Integer> job : mine) {
                assertTrue(job.finished().isSignaled(), "in order: a later job finished before " + job);
                assertNull(job.finished().error());
            }
        }
        await(() -> frees.size() == producers * perProducer, "every job freed");
        frees.forEach((job, n) -> assertEquals(1, n.get(), "job " + job + " freed once"));
        assertEquals(producers * perProducer, ranOn.size());
        ranOn.forEach((job, ring) -> assertEquals(armed.get(job), ring, job + " ran where it was armed"));
        assertTrue(moves.get() > 100, "entities moved " + moves.get() + " times");
        long completed = rings.stream().mapToLong(Scheduler::completed).sum();
        assertEquals((long) producers * perProducer, completed);
        rings.forEach(Scheduler::fini);
    }
}
