package kiln.drm.impl.sched;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.fence.FenceContext;
import kiln.drm.api.sched.Entity;
import kiln.drm.api.sched.PendingJob;
import kiln.drm.api.sched.Priority;

/** A drm_sched_entity: a queue of pushed jobs and, on the scheduler thread, its running ones. */
final class SchedEntity<T> implements Entity<T> {
    final DrmScheduler<T> scheduler;
    private volatile Priority priority;
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
        job.scheduled = scheduledContext.next();
        job.finished = finishedContext.next();
    }

    void push(SchedJob<T> job) throws DrmException {
        synchronized (this) {
            if (!destroyed) {
                if (job.finished.seqno() != nextPush) {
                    throw new IllegalStateException("push out of arming order: " + job + ", expected seqno " + nextPush);
                }
                nextPush++;
                queue.add(job);
                scheduler.wake();
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
        if (priority != newPriority) {
            priority = newPriority;
            scheduler.reprioritize(this);
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
