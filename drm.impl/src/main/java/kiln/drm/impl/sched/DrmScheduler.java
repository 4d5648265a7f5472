package kiln.drm.impl.sched;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceCallback;
import kiln.drm.api.fence.FenceFactory;
import kiln.drm.api.sched.Entity;
import kiln.drm.api.sched.JobBackend;
import kiln.drm.api.sched.Priority;
import kiln.drm.api.sched.Scheduler;
import kiln.drm.api.sched.TimeoutStatus;
import kiln.runtime.support.wake.WakeTimer;

/**
 * One scheduler and its thread. The thread alone selects, runs, completes, times out and frees
 * jobs; other threads only enqueue (pushes, hardware completions, entity kills) and wake it.
 */
final class DrmScheduler<T> implements Scheduler<T> {
    private static final System.Logger LOG = System.getLogger(DrmScheduler.class.getName());
    private static final Priority[] HIGHEST_FIRST = {Priority.KERNEL, Priority.HIGH, Priority.NORMAL, Priority.LOW};

    /** The factory that made it: an entity moves only between schedulers of one factory. */
    private final Object factory;
    private final String name;
    private final int creditLimit;
    private final long timeoutNanos;
    private final JobBackend<T> backend;
    private final FenceFactory fences;
    private final Runnable onFini;
    private final List<CopyOnWriteArrayList<SchedEntity<T>>> runQueues = new ArrayList<>();
    private final int[] roundRobin = new int[Priority.values().length];
    private final ConcurrentLinkedQueue<SchedJob<T>> hardwareDone = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<SchedEntity<T>> toKill = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<SchedEntity<T>> toMove = new ConcurrentLinkedQueue<>();
    /** Jobs on the hardware in start order (scheduler thread only). */
    private final ArrayDeque<SchedJob<T>> pending = new ArrayDeque<>();
    private final CountDownLatch stoppedLatch = new CountDownLatch(1);
    private final FenceCallback wakeOnFence = f -> wake();
    private final Thread thread;
    /** Wakes the thread at the next job deadline: it parks untimed (see {@link WakeTimer} for why). */
    private final WakeTimer deadlines = new WakeTimer(this::wake);
    /** Guards {@link #closed} against entities joining while teardown destroys them. */
    private final Object admission = new Object();
    private boolean closed;
    private volatile boolean stopping;
    private volatile boolean deviceGone;
    private volatile int creditsInUse;
    private volatile int pendingCount;
    private volatile long completed;

    DrmScheduler(Object factory, String name, int creditLimit, long timeoutNanos, JobBackend<T> backend,
            FenceFactory fences, Runnable onFini) {
        this.factory = factory;
        this.onFini = onFini;
        this.name = name;
        this.creditLimit = creditLimit;
        this.timeoutNanos = timeoutNanos;
        this.backend = backend;
        this.fences = fences;
        for (int i = 0; i < Priority.values().length; i++) {
            runQueues.add(new CopyOnWriteArrayList<>());
        }
        this.thread = Thread.ofVirtual().name("drm-sched " + name).unstarted(this::loop);
        thread.start();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int creditLimit() {
        return creditLimit;
    }

    @Override
    public int creditsInUse() {
        return creditsInUse;
    }

    @Override
    public int pending() {
        return pendingCount;
    }

    @Override
    public long completed() {
        return completed;
    }

    @Override
    public Entity<T> createEntity(Priority priority) {
        SchedEntity<T> entity = new SchedEntity<>(this, priority, fences.createContext("drm_sched", name + ":scheduled"),
                fences.createContext("drm_sched", name + ":finished"));
        if (!attach(entity)) {
            entity.markDestroyed();
        }
        return entity;
    }

    /** Adds the entity to the run queue of its priority; false once teardown began. */
    boolean attach(SchedEntity<T> entity) {
        synchronized (admission) {
            if (closed || stopping) {
                return false;
            }
            runQueues.get(entity.priority().ordinal()).add(entity);
        }
        wake();
        return true;
    }

    private void removeFromRunQueues(SchedEntity<T> entity) {
        for (CopyOnWriteArrayList<SchedEntity<T>> queue : runQueues) {
            queue.remove(entity);
        }
    }

    boolean sameFactory(DrmScheduler<?> other) {
        return factory == other.factory;
    }

    /** drm_sched_pick_best's score: entities on its run queues plus jobs on the hardware. */
    int score() {
        int entities = 0;
        for (CopyOnWriteArrayList<SchedEntity<T>> queue : runQueues) {
            entities += queue.size();
        }
        return entities + pendingCount;
    }

    /** The schedulers not being finished, lowest score first (stable: the first of equals wins). */
    static <T> List<DrmScheduler<T>> leastLoadedFirst(List<DrmScheduler<T>> schedulers) {
        List<DrmScheduler<T>> alive = new ArrayList<>(schedulers.size());
        List<Integer> scores = new ArrayList<>(schedulers.size());
        for (DrmScheduler<T> s : schedulers) {
            if (!s.stopping && !alive.contains(s)) {
                alive.add(s);
                scores.add(s.score()); // read once: the scores move while we sort
            }
        }
        Integer[] order = new Integer[alive.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingInt(scores::get));
        List<DrmScheduler<T>> sorted = new ArrayList<>(order.length);
        for (Integer i : order) {
            sorted.add(alive.get(i));
        }
        return sorted;
    }

    void wake() {
        LockSupport.unpark(thread);
    }

    void hardwareDone(SchedJob<T> job, Errno error) {
        job.hwError = error;
        hardwareDone.add(job);
        wake();
    }

    void destroyEntity(SchedEntity<T> entity) {
        toKill.add(entity);
        wake();
    }

    /**
     * The entity's priority changed, or it moved to another scheduler: this scheduler's thread puts
     * it where it belongs now (the run queue of its priority, or none). Only this thread removes
     * from the run queues, so {@link #selectReady}'s indexed walk never sees one shrink.
     */
    void requeue(SchedEntity<T> entity) {
        toMove.add(entity);
        wake();
    }

    private void moveReprioritized() {
        SchedEntity<T> entity;
        while ((entity = toMove.poll()) != null) {
            synchronized (entity) {
                removeFromRunQueues(entity);
                if (!entity.killed && entity.currentScheduler() == this) {
                    runQueues.get(entity.priority().ordinal()).add(entity);
                }
            }
        }
    }

    private void loop() {
        try {
            while (!stopping) {
                completeFinished();
                killDestroyedEntities();
                moveReprioritized();
                long now = System.nanoTime();
                long nextDeadline = checkTimeouts(now);
                SchedJob<T> job = deviceGone ? null : selectReady();
                if (job != null) {
                    run(job);
                    continue;
                }
                if (nextDeadline != Long.MAX_VALUE) {
                    deadlines.wakeAt(nextDeadline);
                }
                LockSupport.park(this);
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "scheduler " + name + " failed", e);
        } finally {
            deadlines.close();
            teardown();
            stoppedLatch.countDown();
        }
    }

    /** drm_sched_select_entity: highest priority first, round robin within one. */
    private SchedJob<T> selectReady() {
        for (Priority priority : HIGHEST_FIRST) {
            List<SchedEntity<T>> queue = runQueues.get(priority.ordinal());
            int size = queue.size();
            int start = roundRobin[priority.ordinal()];
            for (int k = 0; k < size; k++) {
                int index = (start + k) % size;
                SchedEntity<T> entity = queue.get(index);
                SchedJob<T> job = entity.queue.peek();
                // a job armed after the entity moved away belongs to the new scheduler
                if (job != null && job.scheduler == this && ready(job) && fits(job)) {
                    entity.queue.poll();
                    if (entity.queue.isEmpty()) {
                        entity.idle();
                    }
                    roundRobin[priority.ordinal()] = (index + 1) % size;
                    return job;
                }
            }
        }
        return null;
    }

    /** Dependencies, then prepare until it returns nothing; registers a wake-up on what blocks. */
    private boolean ready(SchedJob<T> job) {
        for (;;) {
            while (!job.dependencies.isEmpty()) {
                DmaFence dependency = job.dependencies.get(job.dependencies.size() - 1);
                if (!dependency.isSignaled()) {
                    if (job.waitingOn != dependency) {
                        job.waitingOn = dependency;
                        if (dependency.addCallback(wakeOnFence)) {
                            return false;
                        }
                        continue;
                    }
                    return false;
                }
                if (dependency.error() != null && job.finished.error() == null) {
                    job.finished.setError(dependency.error());
                }
                job.dependencies.remove(job.dependencies.size() - 1);
            }
            if (job.prepared) {
                return true;
            }
            DmaFence more = backend.prepare(job);
            if (more == null) {
                job.prepared = true;
                return true;
            }
            job.dependencies.add(more);
        }
    }

    /** drm_sched_can_queue; a job larger than the limit is clamped to it, as in the kernel. */
    private boolean fits(SchedJob<T> job) {
        return creditsInUse + Math.min(job.credits, creditLimit) <= creditLimit;
    }

    private void run(SchedJob<T> job) {
        job.runCredits = Math.min(job.credits, creditLimit);
        creditsInUse += job.runCredits;
        pending.add(job);
        pendingCount = pending.size();
        job.entity.running.add(job);
        job.startedNanos = System.nanoTime();
        job.deadlineNanos = job.startedNanos + timeoutNanos;
        job.state.set(SchedJob.RUNNING);
        DmaFence hw;
        try {
            hw = backend.run(job);
        } catch (DrmException e) {
            failRun(job, e.errno());
            return;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "run_job failed on " + job, e);
            failRun(job, Errno.EIO);
            return;
        }
        // drm_sched_fence_scheduled comes after run_job, as in the kernel
        SchedJob.complete(job.scheduled, null);
        if (hw == null) {
            failRun(job, null);
            return;
        }
        job.hwFence = hw;
        if (!hw.addCallback(job.hwCallback) && job.state.compareAndSet(SchedJob.RUNNING, SchedJob.HW_SIGNALED)) {
            hardwareDone(job, hw.error());
        }
    }

    /** run_job returned no fence (done synchronously) or an error. */
    private void failRun(SchedJob<T> job, Errno error) {
        SchedJob.complete(job.scheduled, null);
        if (job.state.compareAndSet(SchedJob.RUNNING, SchedJob.HW_SIGNALED)) {
            hardwareDone(job, error);
        }
    }

    /** Hardware completions, then finished fences and frees in each entity's run order. */
    private void completeFinished() {
        SchedJob<T> job;
        List<SchedEntity<T>> touched = new ArrayList<>(2);
        while ((job = hardwareDone.poll()) != null) {
            retire(job);
            if (!touched.contains(job.entity)) {
                touched.add(job.entity);
            }
        }
        for (SchedEntity<T> entity : touched) {
            flush(entity);
        }
    }

    private void retire(SchedJob<T> job) {
        job.hwDone = true;
        creditsInUse -= job.runCredits;
        pending.remove(job);
        pendingCount = pending.size();
    }

    private void flush(SchedEntity<T> entity) {
        while (!entity.running.isEmpty() && entity.running.peek().hwDone) {
            SchedJob<T> done = entity.running.poll();
            done.signalFences(done.hwError);
            completed++;
            free(done);
        }
    }

    private void free(SchedJob<T> job) {
        if (job.freed.compareAndSet(false, true)) {
            try {
                backend.free(job);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "free_job failed on " + job, e);
            }
        }
    }

    /**
     * The jobs past their deadline get timedOut; a job whose backend answers NO_HANG is re-armed
     * for another period, any other answer ends its timeout handling. Returns the next deadline.
     */
    private long checkTimeouts(long now) {
        long next = Long.MAX_VALUE;
        for (SchedJob<T> job : pending) {
            if (job.timedOut) {
                continue;
            }
            long deadline = job.deadlineNanos;
            if (deadline - now <= 0) {
                TimeoutStatus status;
                try {
                    status = backend.timedOut(job);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "timedout_job failed on " + job, e);
                    status = TimeoutStatus.NOMINAL;
                }
                if (status == TimeoutStatus.NO_HANG) {
                    job.deadlineNanos = now + timeoutNanos;
                    job.rearmed = true;
                    next = Math.min(next, job.deadlineNanos);
                    continue;
                }
                job.timedOut = true;
                if (status == TimeoutStatus.NO_DEVICE) {
                    deviceGone = true;
                }
            } else if (job.rearmed) {
                next = Math.min(next, deadline); // out of start order: look further
            } else {
                // jobs start in this order with one timeout: every later first deadline is later still
                // (re-armed jobs come after it in time too)
                return Math.min(next, deadline);
            }
        }
        return next;
    }

    private void killDestroyedEntities() {
        SchedEntity<T> entity;
        while ((entity = toKill.poll()) != null) {
            kill(entity);
        }
    }

    /** drm_sched_entity_kill: queued jobs are dropped with ESRCH; running ones finish normally. */
    private void kill(SchedEntity<T> entity) {
        if (entity.killed) {
            return;
        }
        entity.killed = true;
        removeFromRunQueues(entity); // wherever a priority change left it
        SchedJob<T> job;
        while ((job = entity.queue.poll()) != null) {
            job.signalFences(Errno.ESRCH);
            free(job);
        }
        entity.idle();
    }

    @Override
    public void fini() {
        stopping = true;
        wake();
        boolean interrupted = false;
        while (true) {
            try {
                stoppedLatch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        onFini.run();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** drm_sched_fini with patch 11: every job still queued or on the hardware is freed once. */
    private void teardown() {
        synchronized (admission) {
            closed = true;
        }
        completeFinished();
        for (CopyOnWriteArrayList<SchedEntity<T>> queue : runQueues) {
            for (SchedEntity<T> entity : queue) {
                synchronized (entity) {
                    if (entity.currentScheduler() != this) {
                        continue; // moved away; the move's requeue is moot now
                    }
                    entity.markDestroyed(); // it stays here: a destroyed entity does not move
                }
                kill(entity);
            }
        }
        killDestroyedEntities();
        List<SchedJob<T>> inFlight = new ArrayList<>(pending);
        for (SchedJob<T> job : inFlight) {
            if (job.state.compareAndSet(SchedJob.RUNNING, SchedJob.CANCELLED)) {
                if (job.hwFence != null) {
                    job.hwFence.removeCallback(job.hwCallback);
                    try {
                        backend.cancel(job); // cancel_job: the backend's fence signals ECANCELED
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.ERROR, "cancel_job failed on " + job, e);
                    }
                }
                job.hwError = Errno.ECANCELED;
                retire(job);
            } else {
                // its hardware fence won the race: its completion is on its way into the queue
                while (!job.hwDone) {
                    SchedJob<T> done = hardwareDone.poll();
                    if (done != null) {
                        retire(done);
                    } else {
                        Thread.onSpinWait();
                    }
                }
            }
        }
        for (SchedJob<T> job : inFlight) {
            flush(job.entity);
        }
    }

    @Override
    public String toString() {
        return "drm_sched " + name;
    }
}
