package kiln.drm.impl.sched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceCallback;
import kiln.drm.api.fence.SignalableFence;
import kiln.drm.api.sched.Entity;
import kiln.drm.api.sched.Job;
import kiln.drm.api.sched.PendingJob;

/**
 * A job through its whole life. {@code state} decides, once, whether the hardware fence's callback
 * or the scheduler's teardown completes a job on the hardware; {@code freed} makes free run once.
 * Every other field is touched only by the scheduler thread after push.
 */
final class SchedJob<T> implements PendingJob<T>, Job<T> {
    static final int QUEUED = 0;
    static final int RUNNING = 1;
    static final int HW_SIGNALED = 2;
    static final int CANCELLED = 3;

    final SchedEntity<T> entity;
    /** The scheduler it was armed on, which alone runs it (the entity may move after). */
    DrmScheduler<T> scheduler; // published to other threads by push
    final T data;
    final int credits;
    final List<DmaFence> dependencies = new ArrayList<>();
    final AtomicInteger state = new AtomicInteger(QUEUED);
    final AtomicBoolean freed = new AtomicBoolean();
    SignalableFence scheduled;
    SignalableFence finished;
    DmaFence waitingOn;
    DmaFence hwFence;
    Errno hwError;
    boolean hwDone;
    /** prepare returned no further fence: it is not called again (drm_sched_job_dependency). */
    boolean prepared;
    boolean timedOut;
    /** Its timeout was re-armed (NO_HANG): its deadline is no longer in start order. */
    boolean rearmed;
    long startedNanos;
    long deadlineNanos;
    int runCredits;

    /** The hardware fence's callback: hands the job back to the scheduler thread, unless torn down. */
    final FenceCallback hwCallback;

    SchedJob(SchedEntity<T> entity, T data, int credits) {
        this.entity = entity;
        this.data = data;
        this.credits = credits;
        this.hwCallback = f -> {
            if (state.compareAndSet(RUNNING, HW_SIGNALED)) {
                scheduler.hardwareDone(this, f.error());
            }
        };
    }

    @Override
    public void addDependency(DmaFence fence) {
        if (finished != null) {
            throw new IllegalStateException("dependencies must be added before arm()");
        }
        // a fence that already signalled cleanly can never hold the job back; one with an error still counts
        if (fence != null && (!fence.isSignaled() || fence.error() != null)) {
            dependencies.add(fence);
        }
    }

    @Override
    public Job<T> arm() {
        if (finished == null) {
            entity.arm(this);
        }
        return this;
    }

    @Override
    public Job<T> push() throws DrmException {
        arm();
        entity.push(this);
        return this;
    }

    @Override
    public T data() {
        return data;
    }

    @Override
    public int credits() {
        return credits;
    }

    @Override
    public DmaFence scheduled() {
        return scheduled;
    }

    @Override
    public DmaFence finished() {
        return finished;
    }

    @Override
    public Entity<T> entity() {
        return entity;
    }

    /** Signals both fences (scheduled first) with {@code error}, if not signalled yet. */
    void signalFences(Errno error) {
        complete(scheduled, error);
        complete(finished, error);
    }

    static void complete(SignalableFence fence, Errno error) {
        if (fence.isSignaled()) {
            return;
        }
        if (error != null && fence.error() == null) {
            fence.setError(error);
        }
        try {
            fence.signal();
        } catch (DrmException alreadySignaled) {
            // a racing completion got there first; signalling once is what matters
        }
    }

    @Override
    public String toString() {
        return "job " + (finished == null ? "(unarmed)" : finished.context() + ":" + finished.seqno()) + " of " + entity;
    }
}
