package kiln.drm.impl.fence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.fence.DmaFence;
import kiln.drm.api.fence.FenceCallback;
import kiln.drm.api.fence.FenceChain;
import kiln.drm.api.fence.FenceContext;
import kiln.drm.api.fence.SignalableFence;

class FenceTest {
    private final FenceService fences = new FenceService();
    private final FenceContext context = fences.createContext("test", "ring0");

    @Test
    void contextsHandOutIncreasingSeqnosFromZero() {
        FenceContext other = fences.createContext("test", "ring1");
        assertTrue(other.id() != context.id());
        SignalableFence a = context.next();
        SignalableFence b = context.next();
        assertEquals(0, a.seqno());
        assertEquals(1, b.seqno());
        assertEquals(context.id(), b.context());
        assertEquals("ring0", b.timelineName());
        assertEquals(2, context.nextSeqno());
    }

    @Test
    void signalsExactlyOnce() throws DrmException {
        SignalableFence fence = context.next();
        assertEquals(0, fence.status());
        fence.signal();
        assertTrue(fence.isSignaled());
        assertEquals(1, fence.status());
        assertEquals(Errno.EINVAL, assertThrows(DrmException.class, fence::signal).errno());
    }

    @Test
    void errorPrecedesSignal() throws DrmException {
        SignalableFence fence = context.next();
        fence.setError(Errno.ETIMEDOUT);
        assertFalse(fence.isSignaled());
        fence.signal();
        assertEquals(-Errno.ETIMEDOUT.code(), fence.status());
        assertThrows(IllegalStateException.class, () -> fence.setError(Errno.EIO));
        assertEquals(Errno.ETIMEDOUT, fence.error());
        SignalableFence other = context.next();
        other.signal();
        assertEquals(Errno.EINVAL, assertThrows(DrmException.class, () -> other.signal(Errno.EIO)).errno());
        assertNull(other.error());
    }

    @Test
    void callbacksRunOnceInOrderAndNotAfterRemoval() throws DrmException {
        SignalableFence fence = context.next();
        List<String> ran = new ArrayList<>();
        FenceCallback removed = f -> ran.add("removed");
        assertTrue(fence.addCallback(f -> ran.add("first")));
        assertTrue(fence.addCallback(removed));
        assertTrue(fence.addCallback(f -> {
            throw new IllegalStateException("a failing callback must not stop the others");
        }));
        assertTrue(fence.addCallback(f -> ran.add("last")));
        assertTrue(fence.removeCallback(removed));
        assertFalse(fence.removeCallback(removed));
        fence.signal();
        assertEquals(List.of("first", "last"), ran);
        assertFalse(fence.addCallback(f -> ran.add("late")), "adding to a signalled fence says so");
        assertEquals(List.of("first", "last"), ran);
    }

    @Test
    void waitTimesOutSignalsAndIsInterruptible() throws Exception {
        SignalableFence fence = context.next();
        assertEquals(0, fence.await(1, TimeUnit.MILLISECONDS));
        assertEquals(0, fence.await(0, TimeUnit.MILLISECONDS));
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(20);
                fence.signal();
            } catch (InterruptedException | DrmException e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(fence.await(10, TimeUnit.SECONDS) > 0);
        assertEquals(1, fence.await(0, TimeUnit.SECONDS), "a signalled fence answers at least 1");

        SignalableFence never = context.next();
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> never.await(10, TimeUnit.SECONDS));
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void timedOutWaitsDoNotAccumulateCallbacks() throws Exception {
        SignalableFence fence = context.next();
        for (int i = 0; i < 1000; i++) {
            assertEquals(0, fence.await(1, TimeUnit.NANOSECONDS));
        }
        AtomicInteger runs = new AtomicInteger();
        fence.addCallback(f -> runs.incrementAndGet());
        fence.signal();
        assertEquals(1, runs.get());
    }

    @Test
    void tenThousandVirtualWaitersAllWake() throws Exception {
        SignalableFence fence = context.next();
        int waiters = 10_000;
        CountDownLatch woke = new CountDownLatch(waiters);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < waiters; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    if (fence.await(30, TimeUnit.SECONDS) > 0) {
                        woke.countDown();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        fence.signal();
        assertTrue(woke.await(30, TimeUnit.SECONDS), "lost wake-ups: " + woke.getCount());
        for (Thread t : threads) {
            t.join();
        }
    }

    @Test
    void concurrentAddsAndSignalRunEachAcceptedCallbackExactlyOnce() throws Exception {
        for (int round = 0; round < 200; round++) {
            SignalableFence fence = context.next();
            ConcurrentHashMap<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
            ConcurrentHashMap<Integer, Boolean> accepted = new ConcurrentHashMap<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> adders = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int base = t * 1000;
                adders.add(Thread.ofPlatform().start(() -> {
                    await(start);
                    for (int i = base; i < base + 100; i++) {
                        int id = i;
                        runs.put(id, new AtomicInteger());
                        accepted.put(id, fence.addCallback(f -> runs.get(id).incrementAndGet()));
                    }
                }));
            }
            start.countDown();
            fence.signal();
            for (Thread t : adders) {
                t.join();
            }
            for (var e : accepted.entrySet()) {
                assertEquals(e.getValue() ? 1 : 0, runs.get(e.getKey()).get(), "callback " + e.getKey());
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void arraysSignalOnAllOrAnyWithTheFirstError() throws DrmException {
        SignalableFence a = context.next();
        SignalableFence b = context.next();
        DmaFence all = fences.array(List.of(a, b), false);
        DmaFence any = fences.array(List.of(a, b), true);
        b.setError(Errno.EIO);
        b.signal();
        assertTrue(any.isSignaled());
        assertEquals(Errno.EIO, any.error());
        assertFalse(all.isSignaled());
        a.signal();
        assertTrue(all.isSignaled());
        assertEquals(Errno.EIO, all.error());
        assertTrue(fences.array(List.of(), false).isSignaled());
        assertTrue(fences.array(List.of(a), false).isSignaled(), "built from signalled fences");
    }

    @Test
    void chainsSignalInTimelineOrderAndFindPoints() throws DrmException {
        SignalableFence f1 = context.next();
        SignalableFence f3 = context.next();
        SignalableFence f7 = context.next();
        FenceChain p1 = fences.chain(null, f1, 1);
        FenceChain p3 = fences.chain(p1, f3, 3);
        FenceChain p7 = fences.chain(p3, f7, 7);
        assertEquals(p1.context(), p7.context(), "a chain continues its predecessor's context");
        assertSame(p3, p7.find(2), "point 2 is covered by the link at 3");
        assertSame(p3, p7.find(3));
        assertSame(p1, p7.find(1));
        assertSame(p7, p7.find(5));
        assertSame(p7, p7.find(0));
        assertEquals(Errno.EINVAL, assertThrows(DrmException.class, () -> p7.find(8)).errno());
        f7.signal();
        assertFalse(p7.isSignaled(), "a later point waits for the earlier ones");
        f3.setError(Errno.ECANCELED);
        f3.signal();
        assertFalse(p3.isSignaled());
        f1.signal();
        assertTrue(p1.isSignaled() && p3.isSignaled() && p7.isSignaled());
        assertEquals(Errno.ECANCELED, p3.error());
        assertNull(p7.error(), "a chain's error is its own fence's");
        assertNull(p7.previous(), "a signalled chain lets go of its past");
        FenceChain restart = fences.chain(p7, context.next(), 2);
        assertTrue(restart.context() != p7.context(), "a lower point starts a new context");
    }

    @Test
    void stubIsSignaled() {
        assertTrue(fences.signaled().isSignaled());
        assertEquals(1, fences.signaled().status());
    }

    @Test
    void whenSignaledCompletes() throws Exception {
        SignalableFence fence = context.next();
        var stage = fence.whenSignaled().toCompletableFuture();
        assertFalse(stage.isDone());
        fence.signal();
        assertSame(fence, stage.get(1, TimeUnit.SECONDS));
        assertTrue(fence.whenSignaled().toCompletableFuture().isDone());
    }
}
