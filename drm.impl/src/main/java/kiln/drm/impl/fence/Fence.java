package kiln.drm.impl.fence;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceCallback;
import kiln.drm.api.fence.SignalableFence;

/**
 * A dma_fence. {@code state} is {@code null} (no callbacks), a {@link Callback} (the most recently
 * added; each links to the one added before) or {@link #SIGNALED}. Signalling swaps in
 * {@code SIGNALED} and runs what it swapped out, oldest first; a callback runs only if it wins
 * the race from PENDING to RUN against {@link #removeCallback}, so it runs at most once, and
 * exactly once unless removed.
 *
 * <h2>No recursion</h2>
 * A composite (a chain link its predecessor completes, an array its last member) is signalled
 * from its members' callbacks: run inline, a timeline of thousands of links released at once
 * would recurse as deep and overflow the stack. Composites therefore signal through
 * {@link #trySignalQueued}: the first one signalled on a thread runs the callbacks of every
 * composite its callbacks complete itself, one after the other, from a per-thread queue
 * ({@link Dispatch}) — the kernel hands chain progress to {@code irq_work} for the same reason.
 * Depth stays constant and no thread is used; by the time the producer's {@code signal()} returns,
 * every callback it set off has run. A producer's own signal runs its callbacks inline and pays
 * nothing for this. A callback that throws an exception is logged and the others run; an
 * {@link Error} (say, out of memory) is rethrown by the signalling call once the rest have run,
 * never swallowed.
 */
public class Fence implements SignalableFence {
    private static final System.Logger LOG = System.getLogger(Fence.class.getName());
    private static final Object SIGNALED = new Object();
    private static final VarHandle STATE;
    private static final VarHandle ERROR;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(Fence.class, "state", Object.class);
            ERROR = lookup.findVarHandle(Fence.class, "error", Errno.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Timeline timeline;
    private final long seqno;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile Object state;
    @SuppressWarnings("unused") // accessed through ERROR
    private volatile Errno error;
    private volatile boolean callbacksDone;

    Fence(Timeline timeline, long seqno) {
        this.timeline = timeline;
        this.seqno = seqno;
    }

    final Timeline timeline() {
        return timeline;
    }

    @Override
    public final long context() {
        return timeline.id();
    }

    @Override
    public final long seqno() {
        return seqno;
    }

    @Override
    public final String driverName() {
        return timeline.driverName();
    }

    @Override
    public final String timelineName() {
        return timeline.timelineName();
    }

    @Override
    public final boolean isSignaled() {
        return state == SIGNALED;
    }

    @Override
    public final boolean callbacksDone() {
        return callbacksDone;
    }

    @Override
    public final Errno error() {
        return error;
    }

    @Override
    public final void setError(Errno error) {
        if (error == null) {
            throw new IllegalArgumentException("null error");
        }
        if (state == SIGNALED) {
            throw new IllegalStateException("error " + error + " set on signalled fence " + this);
        }
        this.error = error;
    }

    /** Sets the error unless one is set already (composites keep the first error). */
    final void setErrorOnce(Errno error) {
        ERROR.compareAndSet(this, (Errno) null, error);
    }

    @Override
    public final void signal() throws DrmException {
        if (!trySignal()) {
            throw new DrmException(Errno.EINVAL, "fence " + this + " already signaled");
        }
    }

    /** Signals if not yet signalled, running the callbacks inline; false if it had been. */
    final boolean trySignal() {
        return signal(false);
    }

    /**
     * Signals a composite from a member's callback: its callbacks run after that callback, from the
     * thread's queue (see the class documentation); false if it had signalled.
     */
    final boolean trySignalQueued() {
        return signal(true);
    }

    private boolean signal(boolean queued) {
        Object taken = STATE.getAndSet(this, SIGNALED);
        if (taken == SIGNALED) {
            return false;
        }
        if (taken == null) {
            callbacksDone = true;
            return true;
        }
        Callback oldest = reverse((Callback) taken);
        if (queued) {
            Dispatch.run(this, oldest);
            return true;
        }
        Error error = run(oldest, null);
        if (error != null) {
            throw error;
        }
        return true;
    }

    /** The thread's composite signals whose callbacks are still to run, oldest first (see the class documentation). */
    private static final class Dispatch {
        /** One per thread, reused: the common signal (nothing nested) allocates nothing. */
        private static final ThreadLocal<Dispatch> CURRENT = ThreadLocal.withInitial(Dispatch::new);
        private Fence[] fences = new Fence[16];
        private Callback[] callbacks = new Callback[16];
        private int head;
        private int tail;
        private boolean active;

        static void run(Fence fence, Callback callbacks) {
            Dispatch d = CURRENT.get();
            if (d.active) {
                d.add(fence, callbacks); // inside a callback: run when it returns
                return;
            }
            d.active = true;
            Error error;
            try {
                error = fence.run(callbacks, null);
                while (d.head != d.tail) {
                    Fence next = d.fences[d.head];
                    Callback its = d.callbacks[d.head];
                    d.fences[d.head] = null;
                    d.callbacks[d.head] = null;
                    d.head = (d.head + 1) & (d.fences.length - 1);
                    error = next.run(its, error);
                }
            } finally {
                d.active = false;
            }
            if (error != null) {
                throw error;
            }
        }

        private void add(Fence fence, Callback callback) {
            fences[tail] = fence;
            callbacks[tail] = callback;
            tail = (tail + 1) & (fences.length - 1);
            if (tail == head) {
                int n = fences.length;
                Fence[] f = new Fence[2 * n];
                Callback[] c = new Callback[2 * n];
                for (int i = 0; i < n; i++) {
                    f[i] = fences[(head + i) & (n - 1)];
                    c[i] = callbacks[(head + i) & (n - 1)];
                }
                fences = f;
                callbacks = c;
                head = 0;
                tail = n;
            }
        }
    }

    private static Callback reverse(Callback newest) {
        Callback oldest = null;
        for (Callback c = newest; c != null;) {
            Callback next = c.next;
            c.next = oldest;
            oldest = c;
            c = next;
        }
        return oldest;
    }

    /**
     * Runs {@code callback} and those after it, then marks the callbacks done; the first
     * {@link Error} seen (or {@code error}).
     */
    private Error run(Callback callback, Error error) {
        for (Callback c = callback; c != null; c = c.next) {
            if (c.claim()) {
                try {
                    c.callback.signaled(this);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "fence callback failed on " + this, e);
                } catch (Error e) {
                    LOG.log(System.Logger.Level.ERROR, "fence callback failed on " + this + "; rethrown once the others ran", e);
                    error = error == null ? e : error;
                }
            }
        }
        callbacksDone = true;
        return error;
    }

    @Override
    public final boolean addCallback(FenceCallback callback) {
        Callback node = new Callback(callback);
        for (;;) {
            Object current = state;
            if (current == SIGNALED) {
                return false;
            }
            Callback head = (Callback) current;
            // drop removed callbacks off the top, so add/remove cycles (timed-out waits) do not pile up
            while (head != null && head.removed()) {
                head = head.next;
            }
            node.next = head;
            if (STATE.compareAndSet(this, current, node)) {
                return true;
            }
        }
    }

    @Override
    public final boolean removeCallback(FenceCallback callback) {
        Object current = state;
        if (current == SIGNALED) {
            return false;
        }
        for (Callback c = (Callback) current; c != null; c = c.next) {
            if (c.callback == callback && c.cancel()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public final long await(long timeout, TimeUnit unit) throws InterruptedException {
        if (state == SIGNALED) {
            return Math.max(1, unit.toNanos(timeout));
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long nanos = unit.toNanos(timeout);
        if (nanos <= 0) {
            return 0;
        }
        long deadline = System.nanoTime() + nanos;
        Thread waiter = Thread.currentThread();
        FenceCallback wake = f -> LockSupport.unpark(waiter);
        if (!addCallback(wake)) {
            return Math.max(1, nanos);
        }
        try {
            for (;;) {
                if (state == SIGNALED) {
                    return Math.max(1, deadline - System.nanoTime());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return 0;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        } finally {
            if (state != SIGNALED) {
                removeCallback(wake);
            }
        }
    }

    @Override
    public String toString() {
        return timeline.driverName() + ":" + timeline.timelineName() + ":" + timeline.id() + ":" + seqno
                + (state == SIGNALED ? (error == null ? " signaled" : " signaled " + error) : " pending");
    }

    /** One registered callback; {@code status} goes PENDING to RUN (signal) or REMOVED, once. */
    private static final class Callback {
        private static final VarHandle STATUS;
        private static final int PENDING = 0;
        private static final int RUN = 1;
        private static final int REMOVED = 2;

        static {
            try {
                STATUS = MethodHandles.lookup().findVarHandle(Callback.class, "status", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final FenceCallback callback;
        Callback next;
        @SuppressWarnings("unused") // accessed through STATUS
        private volatile int status;

        Callback(FenceCallback callback) {
            this.callback = callback;
        }

        boolean claim() {
            return STATUS.compareAndSet(this, PENDING, RUN);
        }

        boolean cancel() {
            return STATUS.compareAndSet(this, PENDING, REMOVED);
        }

        boolean removed() {
            return status == REMOVED;
        }
    }
}
