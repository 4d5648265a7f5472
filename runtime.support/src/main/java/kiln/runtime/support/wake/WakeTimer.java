package kiln.runtime.support.wake;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Wakes one sleeper at the earliest deadline it asked for.
 *
 * <p>Why: a virtual thread that parks with a timeout schedules and cancels a task in the JDK's
 * delay scheduler each time, and that costs a platform-thread wake-up per park — on a hot loop
 * that sleeps between items (a GPU scheduler, a firmware main loop) it was most of the CPU spent
 * per job. A sleeper that parks <em>untimed</em> and {@linkplain #wakeAt arms} this instead costs
 * one timer task per earliest deadline: asking for a deadline no earlier than the one already
 * armed changes nothing (that one fires early; the sleeper looks at the time, asks again, and
 * sleeps on).
 *
 * <p>Contract: after {@code wakeAt(d)} the wake action runs at some time at or after {@code d}
 * (late by the timer thread's latency), unless {@link #close}d first; it may also run early or
 * more than once, so the sleeper must check its own condition. Every timer of the runtime shares
 * one daemon thread, which ends after a second with nothing armed. Thread-safe.
 */
public final class WakeTimer implements AutoCloseable {
    private static final ScheduledThreadPoolExecutor EXECUTOR = executor();
    private final Runnable wake;
    private ScheduledFuture<?> armed;
    private long armedAt;
    private boolean closed;

    private static ScheduledThreadPoolExecutor executor() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kiln-wake-timer");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        e.setKeepAliveTime(1, TimeUnit.SECONDS);
        e.allowCoreThreadTimeOut(true);
        return e;
    }

    /** A timer that runs {@code wake} (quickly, on the timer thread) at the deadlines asked for. */
    public WakeTimer(Runnable wake) {
        this.wake = wake;
    }

    /** Wakes the sleeper at {@code nanoTime} ({@link System#nanoTime} scale) or earlier. */
    public synchronized void wakeAt(long nanoTime) {
        if (closed || armed != null && nanoTime - armedAt >= 0) {
            return;
        }
        if (armed != null) {
            armed.cancel(false);
        }
        armedAt = nanoTime;
        armed = EXECUTOR.schedule(() -> fire(nanoTime), Math.max(0, nanoTime - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void fire(long deadline) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (armed != null && armedAt == deadline) {
                armed = null;
            }
        }
        wake.run();
    }

    /** No more wake-ups. */
    @Override
    public synchronized void close() {
        closed = true;
        if (armed != null) {
            armed.cancel(false);
            armed = null;
        }
    }
}
