package kiln.itest;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** Bounded polling for state that changes asynchronously (service events, FileInstall scans). */
final class Await {
    private Await() {
    }

    /**
     * Evaluates {@code probe} until {@code done} accepts its value or {@code limit} passes.
     *
     * @return the accepted value
     * @throws AssertionError with the last value seen, on timeout
     */
    static <T> T until(Duration limit, Callable<T> probe, Predicate<T> done, String what) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        T last = probe.call();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit + " waiting for " + what + "; last seen:\n" + last);
            }
            Thread.sleep(50);
            last = probe.call();
        }
        return last;
    }
}
