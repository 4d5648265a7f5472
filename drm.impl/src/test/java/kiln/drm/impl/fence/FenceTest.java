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
        assertEquals(7, restart.seqno(), "at its predecessor's seqno");
    }

    /** A timeline of {@code n} links over fresh fences; index i is point i + 1. */
    private List<SignalableFence> timeline(int n, FenceChain[] tail) throws DrmException {
        List<SignalableFence> parts = new ArrayList<>(n);
        FenceChain link = null;
        for (int i = 0; i < n; i++) {
            SignalableFence f = context.next();
            parts.add(f);
            link = fences.chain(link, f, i + 1);
        }
        tail[0] = link;
        return parts;
    }

    /**
     * A million-link timeline signals its tail whatever the order its fences signal in: last to
     * first (the first signal then completes every link), first to last, and shuffled. Before,
     * completion recursed through the links' callbacks and overflowed the stack at about a
     * thousand, leaving the tail pending forever.
     */
    @Test
    void millionLinkTimelinesSignalInEveryOrder() throws DrmException {
        int n = 1_000_000;
        for (String order : List.of("last-to-first", "first-to-last", "shuffled")) {
            FenceChain[] tail = new FenceChain[1];
            List<SignalableFence> parts = timeline(n, tail);
            AtomicInteger tailCallbacks = new AtomicInteger();
            tail[0].addCallback(f -> tailCallbacks.incrementAndGet());
            List<SignalableFence> sequence = new ArrayList<>(parts);
            switch (order) {
                case "last-to-first" -> java.util.Collections.reverse(sequence);
                case "shuffled" -> java.util.Collections.shuffle(sequence, new java.util.Random(n));
                default -> { }
            }
            for (int i = 0; i < n - 1; i++) {
                sequence.get(i).signal();
            }
            assertFalse(tail[0].isSignaled(), order + ": one fence is still pending");
            sequence.get(n - 1).signal();
            assertTrue(tail[0].isSignaled(), order + ": the tail signalled");
            assertEquals(1, tailCallbacks.get(), order + ": its callback ran once, before signal() returned");
            assertNull(tail[0].find(n - 1), order + ": nothing before the tail left to wait for");
        }
    }

    /**
     * {@code dma_fence_chain_find_seqno} walks past links whose own fence has signalled: on
     * 1-2-3 with fence 2 signalled, point 2 is waited for at link 1; with 1 and 2 signalled,
     * nothing is left to wait for up to 2 (null), while point 3 is still link 3.
     */
    @Test
    void findSkipsLinksWhoseFenceSignalledAndAnswersNullWhenAllHave() throws DrmException {
        SignalableFence f1 = context.next();
        SignalableFence f2 = context.next();
        SignalableFence f3 = context.next();
        FenceChain p1 = fences.chain(null, f1, 1);
        FenceChain p2 = fences.chain(p1, f2, 2);
        FenceChain p3 = fences.chain(p2, f3, 3);
        assertSame(p2, p3.find(2));
        f2.signal();
        assertSame(p1, p3.find(2), "link 2 completes with link 1 now");
        assertSame(p3, p3.find(3));
        f1.signal();
        assertNull(p3.find(2), "everything up to 2 signalled");
        assertNull(p3.find(1));
        assertSame(p3, p3.find(3));
    }

    /** {@code dma_fence_chain_init}: a point at or below its predecessor's gets a new context and the higher seqno. */
    @Test
    void anOutOfOrderPointStartsAContextAtTheHigherSeqno() throws DrmException {
        FenceChain p5 = fences.chain(fences.chain(null, context.next(), 1), context.next(), 5);
        FenceChain p3 = fences.chain(p5, context.next(), 3);
        assertTrue(p3.context() != p5.context());
        assertEquals(5, p3.seqno(), "max(previous seqno, point)");
        FenceChain p9 = fences.chain(p3, context.next(), 9);
        assertEquals(p3.context(), p9.context(), "a higher point continues the new context");
        FenceChain high = fences.chain(p9, context.next(), -1L); // 2^64 - 1: after 9, unsigned
        assertEquals(p9.context(), high.context());
    }

    /**
     * An {@link Error} from a callback is not swallowed: the other callbacks run, then the
     * signalling call rethrows it (after the fence and those it completed have signalled).
     */
    @Test
    void anErrorFromACallbackReachesTheSignaller() throws DrmException {
        SignalableFence f = context.next();
        FenceChain link = fences.chain(null, f, 1);
        AtomicInteger ran = new AtomicInteger();
        f.addCallback(x -> {
            throw new OutOfMemoryError("simulated");
        });
        f.addCallback(x -> ran.incrementAndGet());
        link.addCallback(x -> ran.incrementAndGet());
        OutOfMemoryError thrown = assertThrows(OutOfMemoryError.class, f::signal);
        assertEquals("simulated", thrown.getMessage());
        assertEquals(2, ran.get(), "every other callback ran, including those of the fences it completed");
        assertTrue(f.isSignaled() && link.isSignaled());
    }

    /**
     * {@code dma_fence_unwrap_for_each} and {@code dma_fence_unwrap_merge} over chains and arrays,
     * as {@code st-dma-fence-unwrap.c} uses them: members are readable, signalled fences drop
     * out of a merge, only the newest fence of a context stays, and fences made with a chosen
     * context and seqno take part like any other.
     */
    @Test
    void unwrapAndMergeSeeThroughChainsAndArrays() throws DrmException {
        long base = fences.allocateContexts(2);
        SignalableFence a1 = fences.create(base, 1, "test", "a");
        SignalableFence a2 = fences.create(base, 2, "test", "a");
        SignalableFence b1 = fences.create(base + 1, 1, "test", "b");
        assertEquals(base + 1, b1.context());
        assertEquals(2, a2.seqno());
        kiln.drm.api.fence.FenceArray array = fences.array(List.of(a1, b1), false);
        assertEquals(List.of(a1, b1), array.fences(), "an array's members are readable");
        FenceChain chain = fences.chain(fences.chain(null, array, 1), a2, 2);
        assertEquals(List.of(a2, a1, b1), fences.unwrap(chain), "newest link first, arrays opened");
        assertEquals(List.of(a1, b1), fences.unwrap(array));
        assertEquals(List.of(a2), fences.unwrap(a2));

        DmaFence merged = fences.unwrapMerge(List.of(chain, a1));
        assertTrue(merged instanceof kiln.drm.api.fence.FenceArray, "two contexts pending: an array");
        assertEquals(List.of(a2, b1), ((kiln.drm.api.fence.FenceArray) merged).fences(), "the newest of each context, by context");
        b1.signal();
        assertSame(a2, fences.unwrapMerge(List.of(chain, b1)), "one pending fence is itself");
        a1.signal();
        a2.signal();
        assertTrue(fences.unwrapMerge(List.of(chain, array)).isSignaled(), "nothing pending: the stub");
        assertTrue(merged.isSignaled());
        assertEquals(List.of(), fences.unwrap(fences.array(List.of(), false)), "an empty array stands for nothing");
    }

    /**
     * A chain link completed from inside its predecessor's callbacks has signalled at once; its own
     * callbacks run once those return, and {@link DmaFence#callbacksDone()} says when. A plain
     * fence signalled from a callback runs its callbacks inline, as the kernel's does.
     */
    @Test
    void callbacksDoneTellsWhenASignalsCallbacksHaveRun() throws DrmException {
        SignalableFence f1 = context.next();
        SignalableFence f2 = context.next();
        FenceChain p1 = fences.chain(null, f1, 1);
        FenceChain p2 = fences.chain(p1, f2, 2);
        f2.signal();
        List<String> seen = new ArrayList<>();
        p2.addCallback(f -> seen.add("p2 callback"));
        p1.addCallback(f -> seen.add("p2 signalled " + p2.isSignaled() + ", done " + p2.callbacksDone()));
        assertFalse(p1.callbacksDone());
        f1.signal();
        assertEquals(List.of("p2 signalled true, done false", "p2 callback"), seen);
        assertTrue(p1.callbacksDone() && p2.callbacksDone());

        SignalableFence outer = context.next();
        SignalableFence inner = context.next();
        seen.clear();
        inner.addCallback(f -> seen.add("inner callback"));
        outer.addCallback(f -> {
            try {
                inner.signal();
            } catch (DrmException e) {
                throw new AssertionError(e);
            }
            seen.add("inner done " + inner.callbacksDone());
        });
        outer.signal();
        assertEquals(List.of("inner callback", "inner done true"), seen);
        SignalableFence bare = context.next();
        bare.signal();
        assertTrue(bare.callbacksDone(), "no callbacks: done with the signal");
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
