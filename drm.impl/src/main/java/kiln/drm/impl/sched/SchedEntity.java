package kiln.drm.impl.sched;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.fence.FenceContext;
import kiln.drm.api.sched.Entity;
import kiln.drm.api.sched.PendingJob;
import kiln.drm.api.sched.Priority;
import kiln.drm.api.sched.Scheduler;

/**
 * A drm_sched_entity: a queue of pushed jobs and, on its scheduler's thread, its running ones.
 * The entity's monitor guards where it lives (scheduler, run queue, priority): a move between
 * schedulers and a priority change never interleave.
 */
final class SchedEntity<T> implements Entity<T> {
    private volatile DrmScheduler<T> scheduler;
    private volatile Priority priority;
    /** Where {@link #modifySchedulers} lets it move; null once settled (guarded by this). */
    private List<DrmScheduler<T>> choices;
    /** The last job armed: the entity moves only once it has finished (guarded by this). */
    private SchedJob<T> lastArmed;
    private final FenceContext scheduledContext;
    private final FenceContext finishedContext;
    final ConcurrentLinkedQueue<SchedJob<T>> queue = new ConcurrentLinkedQueue<>();
    /** Jobs on the hardware, in run order (scheduler thread only). */
    final ArrayDeque<SchedJob<T>> running = new ArrayDeque<>();
    private long nextPush;
    private boolean destroyed;
    volatile boolean killed;

    SchedEntity(DrmScheduler<T> scheduler, Priority priority, FenceContext scheduledContext,
            FenceContext finishedContext) {
        this.scheduler = scheduler;
        this.priority = priority;
        this.scheduledContext = scheduledContext;
        this.finishedContext = finishedContext;
    }

    @Override
    public Priority priority() {
        return priority;
    }

    @Override
    public PendingJob<T> newJob(T data, int credits) throws DrmException {
        if (credits < 1) {
            throw new DrmException(Errno.EINVAL, "a job takes at least one credit, not " + credits);
        }
        synchronized (this) {
            if (destroyed) {
                throw new DrmException(Errno.ENODEV, this + " was destroyed");
            }
        }
        return new SchedJob<>(this, data, credits);
    }

    synchronized void arm(SchedJob<T> job) {
        if (choices != null) {
            selectScheduler();
        }
        job.scheduler = scheduler;
        job.scheduled = scheduledContext.next();
        job.finished = finishedContext.next();
        lastArmed = job;
    }

    /**
     * drm_sched_entity_select_rq. "Every armed job finished" stands for the kernel's "queue empty
     * and last_scheduled signalled" and also covers a job armed and not yet pushed, which the
     * kernel's callers exclude by holding one lock over arm and push.
     */
    private void selectScheduler() {
        if (destroyed || lastArmed != null && !lastArmed.finished.isSignaled()) {
            return;
        }
        DrmScheduler<T> from = scheduler;
        for (DrmScheduler<T> best : DrmScheduler.leastLoadedFirst(choices)) {
            if (best == from) {
                break;
            }
            if (best.attach(this)) {
                scheduler = best;
                from.requeue(this); // its thread takes the entity off its run queues
                break;
            }
        }
        if (choices.size() == 1) {
            choices = null; // the kernel drops a one-element list once selected
        }
    }

    @Override
    public Scheduler<T> scheduler() {
        return scheduler;
    }

    DrmScheduler<T> currentScheduler() {
        return scheduler;
    }

    @Override
    public void modifySchedulers(List<? extends Scheduler<T>> schedulers) throws DrmException {
        if (schedulers == null || schedulers.isEmpty()) {
            throw new DrmException(Errno.EINVAL, "an entity needs at least one scheduler");
        }
        List<DrmScheduler<T>> checked = new ArrayList<>(schedulers.size());
        for (Scheduler<T> s : schedulers) {
            if (!(s instanceof DrmScheduler<T> own) || !own.sameFactory(scheduler)) {
                throw new DrmException(Errno.EINVAL, s + " is not a scheduler of this entity's factory");
            }
            checked.add(own);
        }
        synchronized (this) {
            choices = List.copyOf(checked);
        }
    }

    void push(SchedJob<T> job) throws DrmException {
        synchronized (this) {
            if (!destroyed) {
                if (job.finished.seqno() != nextPush) {
                    throw new IllegalStateException("push out of arming order: " + job + ", expected seqno " + nextPush);
                }
                nextPush++;
                queue.add(job);
                job.scheduler.wake();
                return;
            }
        }
        job.signalFences(Errno.ENODEV);
        throw new DrmException(Errno.ENODEV, this + " was destroyed");
    }

    @Override
    public int queued() {
        return queue.size();
    }

    /** Marks the entity destroyed; later pushes are refused. False if it already was. */
    synchronized boolean markDestroyed() {
        if (destroyed) {
            return false;
        }
        destroyed = true;
        return true;
    }

    @Override
    public void setPriority(Priority newPriority) {
        if (newPriority == null) {
            throw new IllegalArgumentException("null priority");
        }
        synchronized (this) { // against a move: the move sees the new priority or the change sees the new scheduler
            if (priority != newPriority) {
                priority = newPriority;
                scheduler.requeue(this);
            }
        }
    }

    @Override
    public long flush(java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!queue.isEmpty() && !killed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return 0;
                }
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the kernel's flush is cut short by a signal too
                    return Math.max(0, deadline - System.nanoTime());
                }
            }
        }
        return Math.max(1, deadline - System.nanoTime());
    }

    /** The scheduler took the last queued job or dropped the queue: flushes waiting may return. */
    synchronized void idle() {
        notifyAll();
    }

    @Override
    public void destroy() {
        if (markDestroyed()) {
            flush(FLUSH_TIMEOUT);
            scheduler.destroyEntity(this);
        }
    }

    @Override
    public void kill() {
        if (markDestroyed()) {
            scheduler.destroyEntity(this);
        }
    }

    @Override
    public String toString() {
        return "entity " + finishedContext.id() + " (" + priority + ") of " + scheduler.name();
    }
}
