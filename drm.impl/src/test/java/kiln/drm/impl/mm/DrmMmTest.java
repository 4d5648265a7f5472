package kiln.drm.impl.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.mm.EvictionScan;
import kiln.drm.api.mm.InsertMode;
import kiln.drm.api.mm.RangeAllocator;
import kiln.drm.api.mm.RangeNode;
import kiln.drm.api.mm.Span;

class DrmMmTest {
    private final RangeAllocatorService factory = new RangeAllocatorService();

    private RangeAllocator<String> mm(long start, long size) throws DrmException {
        return factory.create("test", start, size);
    }

    private static Errno errno(ThrowingCall call) {
        return assertThrows(DrmException.class, call::run).errno();
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void modesPlaceAsTheKernelDoes() throws DrmException {
        RangeAllocator<String> mm = mm(0x1000, 0x10000);
        RangeNode<String> a = mm.reserve("a", 0x2000, 0x1000, 0);   // hole 0x1000..0x2000 (0x1000)
        RangeNode<String> b = mm.reserve("b", 0x5000, 0x1000, 0);   // hole 0x3000..0x5000 (0x2000)
        // hole 0x6000..0x11000 (0xb000)
        assertEquals(0x3000, mm.insert("best", 0x2000, 0, 0, InsertMode.BEST).start(), "smallest hole that fits");
        assertEquals(0x1000, mm.insert("low", 0x800, 0, 0, InsertMode.LOW).start(), "lowest hole, bottom");
        assertEquals(0x11000 - 0x800, mm.insert("high", 0x800, 0, 0, InsertMode.HIGH).start(), "highest hole, top");
        assertEquals(0x6000, mm.insert("low2", 0x1000, 0, 0, InsertMode.LOW).start());
        assertTrue(a.isAllocated() && b.isAllocated());
        assertEquals(6, mm.nodeCount());
    }

    @Test
    void alignmentNeedNotBeAPowerOfTwo() throws DrmException {
        RangeAllocator<String> mm = mm(0, 1000);
        mm.reserve("x", 0, 1, 0);
        RangeNode<String> n = mm.insert("aligned", 10, 7, 0, InsertMode.LOW);
        assertEquals(7, n.start());
        RangeNode<String> top = mm.insert("top", 10, 7, 0, InsertMode.HIGH);
        assertEquals(987, top.start(), "HIGH aligns the start downwards: 990 - 990 % 7");
        assertEquals(0, top.start() % 7);
    }

    @Test
    void rangeRestrictedInsertion() throws DrmException {
        RangeAllocator<String> mm = mm(0, 0x10000);
        RangeNode<String> n = mm.insertInRange("r", 0x1000, 0, 0, 0x4000, 0x6000, InsertMode.BEST);
        assertEquals(0x4000, n.start());
        RangeNode<String> h = mm.insertInRange("r", 0x1000, 0, 0, 0x4000, 0x6000, InsertMode.HIGH);
        assertEquals(0x5000, h.start());
        assertEquals(Errno.ENOSPC, errno(() -> mm.insertInRange("r", 0x1000, 0, 0, 0x4000, 0x6000, InsertMode.LOW)));
        assertEquals(Errno.ENOSPC, errno(() -> mm.insertInRange("r", 0x3000, 0, 0, 0x4000, 0x6000, InsertMode.LOW)));
        assertEquals(2, mm.nodeCount(), "failures change nothing");
    }

    @Test
    void reserveOverlapIsEnospcAndChangesNothing() throws DrmException {
        RangeAllocator<String> mm = mm(0, 0x10000);
        mm.reserve("a", 0x1000, 0x1000, 0);
        List<Span> holes = mm.holes();
        assertEquals(Errno.ENOSPC, errno(() -> mm.reserve("b", 0x1800, 0x1000, 0)));
        assertEquals(Errno.ENOSPC, errno(() -> mm.reserve("b", 0x0800, 0x1000, 0)));
        assertEquals(Errno.ENOSPC, errno(() -> mm.reserve("b", 0xF000, 0x2000, 0)), "leaves the allocator");
        assertEquals(Errno.ENOSPC, errno(() -> mm.reserve("b", 0x3000, 0, 0)), "size 0");
        assertEquals(Errno.ENOSPC, errno(() -> mm.reserve("b", -1, 0x10, 0)), "2^64 - 1 + 0x10 overflows");
        assertEquals(holes, mm.holes());
        assertEquals(1, mm.nodeCount());
    }

    @Test
    void badRequestsGetTheKernelsErrno() throws DrmException {
        RangeAllocator<String> mm = mm(0, 0x1000);
        assertEquals(Errno.ENOSPC, errno(() -> mm.insert("z", 0)), "the kernel answers size 0 with ENOSPC");
        assertEquals(Errno.ENOSPC, errno(() -> mm.insert("big", 0x1001)));
        assertEquals(Errno.ENOSPC, errno(() -> mm.insert("huge", -5)), "2^64 - 5 bytes: no room, not a bad value");
        assertEquals(Errno.EINVAL, errno(() -> mm.insertInRange("r", 8, 0, 0, 0x800, 0x400, InsertMode.LOW)));
        assertEquals(Errno.EINVAL, errno(() -> factory.create("bad", -1, 10)), "the range passes 2^64");
        assertEquals(0, mm.nodeCount());
        assertEquals(0, mm.insert("a", 8, -1, 0, InsertMode.LOW).start(), "an alignment of 2^64 - 1 takes 0");
    }

    /**
     * Addresses, sizes and alignments are u64 as in the kernel: an allocator over the top half of
     * the 64-bit space (or all of it) places, reserves, aligns and lists holes there; a range
     * ending at 2^64 - 1 is the largest there is.
     */
    @Test
    void addressesAboveTwoToTheSixtyThreeAreAddressesLikeAnyOther() throws DrmException {
        long half = 1L << 63;
        RangeAllocator<String> mm = mm(half, 1L << 62);
        assertEquals(half, mm.insert("low", 0x1000, 0, 0, InsertMode.LOW).start());
        long top = half + (1L << 62);
        assertEquals(top - 0x1000, mm.insert("high", 0x1000, 0, 0, InsertMode.HIGH).start());
        RangeNode<String> fixed = mm.reserve("fixed", half + 0x10_0000, 0x1000, 0);
        assertEquals(Errno.ENOSPC, errno(() -> mm.reserve("over", half + 0x10_0800, 0x1000, 0)));
        RangeNode<String> aligned = mm.insertInRange("aligned", 0x1000, 1L << 40, 0, half + 1, top, InsertMode.LOW);
        assertEquals(half + (1L << 40), aligned.start(), "aligned up from above 2^63");
        assertEquals(List.of(new Span(half + 0x1000, half + 0x10_0000), new Span(half + 0x10_1000, half + (1L << 40)),
                new Span(half + (1L << 40) + 0x1000, top - 0x1000)), mm.holes());
        mm.remove(fixed);
        assertEquals(Errno.ENOSPC, errno(() -> mm.insertInRange("below", 0x1000, 0, 0, 0, half, InsertMode.BEST)),
                "a range below the allocator has no room");

        RangeAllocator<String> all = mm(0, -1L);
        assertEquals(-1L, all.size());
        RangeNode<String> last = all.insert("last", 0x1000, 0, 0, InsertMode.HIGH);
        assertEquals(-1L - 0x1000, last.start(), "the top of a space ending at 2^64 - 1");
        assertEquals(-1L - 0x1000, all.largestHole(), "largest hole above 2^63, as u64");
        assertEquals(0, all.insert("first", -1L - 0x2000, 0, 0, InsertMode.BEST).start(), "a node of nearly 2^64 bytes");
        assertEquals(List.of(new Span(-1L - 0x2000, -1L - 0x1000)), all.holes());
    }

    @Test
    void removalMergesHolesAndUnknownNodesAreABug() throws DrmException {
        RangeAllocator<String> mm = mm(0, 0x4000);
        RangeNode<String> a = mm.insert("a", 0x1000, 0, 0, InsertMode.LOW);
        RangeNode<String> b = mm.insert("b", 0x1000, 0, 0, InsertMode.LOW);
        RangeNode<String> c = mm.insert("c", 0x1000, 0, 0, InsertMode.LOW);
        mm.remove(b);
        assertFalse(b.isAllocated());
        assertEquals("b", b.value());
        assertEquals(0x1000, b.start(), "a removed node still reads what it was");
        assertEquals(List.of(new Span(0x1000, 0x2000), new Span(0x3000, 0x4000)), mm.holes());
        mm.remove(a);
        mm.remove(c);
        assertEquals(List.of(new Span(0, 0x4000)), mm.holes());
        assertEquals(0x4000, mm.largestHole());
        assertThrows(IllegalStateException.class, () -> mm.remove(b), "double remove");
        RangeAllocator<String> other = mm(0, 0x4000);
        RangeNode<String> foreign = other.insert("f", 0x10);
        assertThrows(IllegalStateException.class, () -> mm.remove(foreign));
    }

    @Test
    void oversizedRequestIsRejectedByTheLargestHole() throws DrmException {
        RangeAllocator<String> mm = mm(0, 1 << 20);
        for (int i = 0; i < 256; i++) {
            mm.insert("n", 2048, 0, 0, InsertMode.LOW);
            mm.insert("gap", 2048, 0, 0, InsertMode.LOW);
        }
        for (RangeNode<String> n : mm.nodes()) {
            if (n.value().equals("gap")) {
                mm.remove(n);
            }
        }
        assertEquals(2048, mm.largestHole());
        assertEquals(Errno.ENOSPC, errno(() -> mm.insert("big", 4096)));
        assertEquals(512 * 1024, mm.freeSpace());
    }

    @Test
    void colorAdjustKeepsGuardsBetweenColors() throws DrmException {
        // a guard page of 0x100 between nodes of different colour, as i915 did for cache domains
        RangeAllocator<String> mm = factory.create("color", 0, 0x10000, (before, after, color, hole) -> {
            long start = hole.start();
            long end = hole.end();
            if (before != null && before.color() != color) {
                start += 0x100;
            }
            if (after != null && after.color() != color) {
                end -= 0x100;
            }
            return new Span(start, end);
        });
        RangeNode<String> a = mm.insert("a", 0x1000, 0, 1, InsertMode.LOW);
        RangeNode<String> same = mm.insert("same", 0x1000, 0, 1, InsertMode.LOW);
        RangeNode<String> other = mm.insert("other", 0x1000, 0, 2, InsertMode.LOW);
        assertEquals(0, a.start());
        assertEquals(0x1000, same.start());
        assertEquals(0x2100, other.start());
        assertEquals(Errno.ENOSPC, errno(() -> mm.reserve("r", 0x3100, 0x100, 1)), "guard after colour 2");
        assertEquals(0x3200, mm.reserve("r", 0x3200, 0x100, 1).start());
    }

    /**
     * {@code drm_mm_scan_add_block} takes blocks after a hole was found: one that frees a fitting
     * hole replaces the hit, one that does not keeps it; removal then names the nodes of the last
     * hit only. Before, the second add threw IllegalStateException.
     */
    @Test
    void anEvictionScanTakesMoreBlocksAfterAHit() throws DrmException {
        RangeAllocator<String> mm = mm(0, 0x10000);
        RangeNode<String> a = mm.reserve("a", 0, 0x1000, 0);
        RangeNode<String> b = mm.reserve("b", 0x1000, 0x1000, 0);
        mm.reserve("c", 0x2000, 0x6000, 0);
        RangeNode<String> d = mm.reserve("d", 0x8000, 0x800, 0);
        mm.reserve("e", 0x8800, 0x7800, 0);
        EvictionScan<String> scan = mm.scan(0x1000, 0, 0, 0, 0x10000, InsertMode.HIGH);
        assertTrue(scan.add(a));
        assertEquals(new Span(0, 0x1000), scan.hit());
        assertTrue(scan.add(b), "more after a hit");
        assertEquals(new Span(0x1000, 0x2000), scan.hit(), "the later hole replaces the hit (HIGH: its top)");
        assertFalse(scan.add(d), "a hole too small for the request");
        assertEquals(new Span(0x1000, 0x2000), scan.hit(), "and the hit stays");
        assertFalse(scan.remove(d));
        assertTrue(scan.remove(b), "b makes the hit");
        assertFalse(scan.remove(a), "a does not any more");
        mm.remove(b);
        assertEquals(0x1000, mm.insertInRange("x", 0x1000, 0, 0, 0, 0x10000, InsertMode.EVICT).start());
    }

    /**
     * The kernel API drivers use beside insert and remove: {@code drm_mm_replace_node},
     * {@code DRM_MM_INSERT_ONCE} (LOWEST, HIGHEST), {@code node->mm}, {@code drm_mm_hole_follows}
     * and the hole bounds, {@code drm_mm_for_each_node_in_range}, and a colour callback set after
     * creation.
     */
    @Test
    void replaceOnceModesNodeQueriesRangeLookupAndLateColorAdjust() throws DrmException {
        RangeAllocator<String> mm = mm(0, 0x10000);
        RangeNode<String> a = mm.reserve("a", 0x1000, 0x1000, 3);
        RangeNode<String> b = mm.reserve("b", 0x2000, 0x1000, 0);
        assertSame(mm, a.allocator());
        assertFalse(a.holeFollows(), "b follows a directly");
        assertTrue(b.holeFollows());
        assertEquals(0x3000, b.holeStart());
        assertEquals(0x10000, b.holeEnd());
        List<Span> holes = mm.holes();
        RangeNode<String> a2 = mm.replace(a, "a2");
        assertFalse(a.isAllocated());
        assertTrue(a2.isAllocated());
        assertEquals(List.of(0x1000L, 0x1000L, 3L, "a2"), List.of(a2.start(), a2.size(), a2.color(), a2.value()));
        RangeNode<String> b2 = mm.replace(b, "b2");
        assertEquals(holes, mm.holes(), "replacing changes no hole");
        assertEquals(0x10000 - 0x1000, mm.insert("top", 0x1000, 0, 0, InsertMode.HIGH).start(), "the indexes follow");
        mm.remove(b2);
        assertEquals(List.of(a2), mm.nodesInRange(0, 0x2000));
        assertEquals(List.of(a2), mm.nodesInRange(0x1fff, 0x5000));
        assertEquals(List.of(), mm.nodesInRange(0x2000, 0x3000));
        assertEquals(2, mm.nodesInRange(0, 0x10000).size());

        // LOWEST tries the lowest hole big enough only: its alignment does not fit there
        RangeAllocator<String> once = mm(0, 0x10000);
        once.reserve("x0", 0, 0x800, 0);
        once.reserve("x", 0x1800, 0x800, 0);   // holes [0x800, 0x1800) and [0x2000, 0x10000)
        assertEquals(Errno.ENOSPC, errno(() -> once.insert("l", 0x1000, 0x2000, 0, InsertMode.LOWEST)),
                "the lowest hole cannot take an 0x2000-aligned node");
        assertEquals(0x2000, once.insert("l", 0x1000, 0x2000, 0, InsertMode.LOW).start(), "LOW goes on");
        assertEquals(0x10000 - 0x1000, once.insert("h", 0x1000, 0, 0, InsertMode.HIGHEST).start());

        RangeAllocator<String> colored = mm(0, 0x10000);
        RangeNode<String> guard = colored.reserve("g", 0x1000, 0x1000, 1);
        colored.setColorAdjust((before, after, color, hole) -> before != null && before.color() != color
                ? new Span(hole.start() + 0x1000, hole.end()) : hole);
        assertEquals(0x3000, colored.insertInRange("c", 0x1000, 0, 2, 0x2000, 0x10000, InsertMode.LOW).start(),
                "a page of guard after a node of another colour");
        colored.setColorAdjust(null);
        assertEquals(0x2000, colored.insertInRange("d", 0x1000, 0, 2, 0x2000, 0x10000, InsertMode.LOW).start());
        assertTrue(guard.isAllocated());
    }

    @Test
    void evictionScanFindsTheNodesToEvictAndRestoresTheRoster() throws DrmException {
        RangeAllocator<String> mm = mm(0, 0x8000);
        List<RangeNode<String>> lru = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            lru.add(mm.insert("n" + i, 0x1000, 0, 0, InsertMode.LOW));
        }
        List<Span> before = mm.holes();
        assertEquals(Errno.ENOSPC, errno(() -> mm.insert("big", 0x2000)));
        // LRU order: n3, n6, n4 — n3 and n4 are not adjacent, n6 is not next to either
        EvictionScan<String> scan = mm.scan(0x2000, 0, 0, 0, 0x8000, InsertMode.BEST);
        List<RangeNode<String>> added = new ArrayList<>();
        boolean found = false;
        for (RangeNode<String> n : List.of(lru.get(3), lru.get(6), lru.get(4), lru.get(1))) {
            added.add(n);
            if (scan.add(n)) {
                found = true;
                break;
            }
        }
        assertTrue(found);
        assertEquals(3, added.size(), "n3 + n4 together free 0x2000");
        assertEquals(Errno.EBUSY, errno(() -> mm.insert("x", 0x10)), "no changes while blocks are scanned");
        assertThrows(IllegalStateException.class, () -> scan.remove(added.get(0)), "reverse order only");
        List<RangeNode<String>> evict = new ArrayList<>();
        for (int i = added.size() - 1; i >= 0; i--) {
            if (scan.remove(added.get(i))) {
                evict.add(added.get(i));
            }
        }
        assertEquals(before, mm.holes(), "the roster restores the allocator exactly");
        assertEquals(List.of(lru.get(4), lru.get(3)), evict);
        for (RangeNode<String> n : evict) {
            mm.remove(n);
        }
        assertNull(scan.colorEvict());
        RangeNode<String> big = mm.insert("big", 0x2000, 0, 0, InsertMode.EVICT);
        assertEquals(scan.hit(), new Span(big.start(), big.end()));
        assertEquals(0x3000, big.start());
    }

    @Test
    void evictModeUsesTheMostRecentHole() throws DrmException {
        RangeAllocator<String> mm = mm(0, 0x4000);
        RangeNode<String> a = mm.insert("a", 0x1000, 0, 0, InsertMode.LOW);
        mm.insert("b", 0x1000, 0, 0, InsertMode.LOW);
        RangeNode<String> c = mm.insert("c", 0x1000, 0, 0, InsertMode.LOW);
        mm.remove(c);
        mm.remove(a);
        assertEquals(0, mm.insert("e", 0x800, 0, 0, InsertMode.EVICT).start(), "hole of a is the newest");
    }

    @Test
    void takedownRefusesWhileNodesRemain() throws DrmException {
        RangeAllocator<String> mm = mm(0, 0x1000);
        RangeNode<String> n = mm.insert("n", 0x10);
        assertEquals(Errno.EBUSY, errno(mm::takedown));
        mm.remove(n);
        mm.takedown();
        assertEquals(Errno.ENODEV, errno(() -> mm.insert("late", 0x10)));
    }

    @Test
    void concurrentInsertAndRemoveKeepTheAllocatorConsistent() throws Exception {
        RangeAllocator<Integer> mm = factory.create("mt", 0, 1L << 32);
        int threads = 4;
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(Thread.ofPlatform().start(() -> {
                List<RangeNode<Integer>> mine = new ArrayList<>();
                try {
                    for (int i = 0; i < 20_000; i++) {
                        if (mine.size() > 50 && (i & 1) == 0) {
                            mm.remove(mine.remove((i * 31 + id) % mine.size()));
                        } else {
                            mine.add(mm.insert(id, 0x1000 + (i % 7) * 0x1000, 0x1000, 0,
                                    InsertMode.values()[i % 3]));
                        }
                    }
                    for (RangeNode<Integer> n : mine) {
                        mm.remove(n);
                    }
                } catch (DrmException | RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        assertEquals(0, mm.nodeCount());
        assertEquals(List.of(new Span(0, 1L << 32)), mm.holes());
        assertEquals(1L << 32, mm.largestHole());
        assertNull(failure.get());
    }
}
