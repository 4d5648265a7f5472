package kiln.runtime.support.wake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class WakeTimerTest {
    private static final long MS = 1_000_000;

    @Test
    void wakesNoEarlierThanTheDeadline() throws Exception {
        CountDownLatch woke = new CountDownLatch(1);
        AtomicLong at = new AtomicLong();
        try (WakeTimer timer = new WakeTimer(() -> {
            at.set(System.nanoTime());
            woke.countDown();
        })) {
            long deadline = System.nanoTime() + 30 * MS;
            timer.wakeAt(deadline);
            assertTrue(woke.await(10, TimeUnit.SECONDS));
            assertTrue(at.get() - deadline >= 0, "woke " + (deadline - at.get()) / MS + " ms early");
        }
    }

    @Test
    void anEarlierDeadlineReplacesTheArmedOneAndALaterOneDoesNot() throws Exception {
        CountDownLatch woke = new CountDownLatch(1);
        try (WakeTimer timer = new WakeTimer(woke::countDown)) {
            long now = System.nanoTime();
            timer.wakeAt(now + TimeUnit.HOURS.toNanos(1));
            timer.wakeAt(now + 20 * MS);
            timer.wakeAt(now + TimeUnit.HOURS.toNanos(2));
            assertTrue(woke.await(10, TimeUnit.SECONDS), "the 20 ms deadline was kept");
        }
    }

    @Test
    void closingCancelsWhatIsArmed() throws Exception {
        AtomicInteger wakes = new AtomicInteger();
        WakeTimer timer = new WakeTimer(wakes::incrementAndGet);
        timer.wakeAt(System.nanoTime() + 20 * MS);
        timer.close();
        timer.wakeAt(System.nanoTime());
        Thread.sleep(200);
        assertEquals(0, wakes.get());
    }
}
