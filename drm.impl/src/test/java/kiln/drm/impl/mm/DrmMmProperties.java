package kiln.drm.impl.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.mm.InsertMode;
import kiln.drm.api.mm.RangeAllocator;
import kiln.drm.api.mm.RangeNode;
import kiln.drm.api.mm.Span;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Model check: random inserts (every mode, alignment, range), reservations and removals against a
 * brute-force search over the allocator's own hole list. Every placement must be the one the
 * mode's rule picks, and every refusal must be a real absence of room.
 */
class DrmMmProperties {
    record Op(int kind, long size, long alignment, long rangeStart, long rangeLength, InsertMode mode, int pick) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(
                Arbitraries.integers().between(0, 9),
                Arbitraries.longs().between(1, 300),
                Arbitraries.of(0L, 1L, 2L, 3L, 8L, 16L),
                Arbitraries.longs().between(0, 1024),
                Arbitraries.longs().between(1, 1024),
                Arbitraries.of(InsertMode.BEST, InsertMode.LOW, InsertMode.HIGH),
                Arbitraries.integers().between(0, 1000))
                .as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(200);
    }

    @Property(tries = 300)
    void placementsFollowTheModeRules(@ForAll("ops") List<Op> ops) throws DrmException {
        check(ops, 0);
    }

    /**
     * The same model over the top of the 64-bit space, where every address is above 2^63 and the
     * allocator ends just below 2^64 (the base is a multiple of every alignment the model uses, so
     * alignment reads the same on offsets).
     */
    @Property(tries = 200)
    void placementsFollowTheModeRulesBelowTwoToTheSixtyFour(@ForAll("ops") List<Op> ops) throws DrmException {
        long base = Long.divideUnsigned(-1L - 2048, 48) * 48;
        check(ops, base);
    }

    /** The allocator's holes as offsets from {@code base}. */
    private static List<Span> holes(RangeAllocator<Integer> mm, long base) {
        return mm.holes().stream().map(h -> new Span(h.start() - base, h.end() - base)).toList();
    }

    private void check(List<Op> ops, long base) throws DrmException {
        RangeAllocator<Integer> mm = new DrmMm<>("model", base, 1024, null);
        List<RangeNode<Integer>> live = new ArrayList<>();
        for (Op op : ops) {
            if (op.kind() < 3 && !live.isEmpty()) {
                mm.remove(live.remove(op.pick() % live.size()));
            } else if (op.kind() == 3) {
                long start = op.rangeStart();
                boolean free = covered(holes(mm, base), start, start + op.size());
                try {
                    RangeNode<Integer> n = mm.reserve(0, base + start, op.size(), 0);
                    assertTrue(free, "reserved over a node");
                    live.add(n);
                } catch (DrmException e) {
                    assertEquals(Errno.ENOSPC, e.errno());
                    assertTrue(!free, "refused a free reservation");
                }
            } else {
                long rangeStart = op.rangeStart();
                long rangeEnd = Math.min(1024, rangeStart + op.rangeLength());
                long expected = expectedStart(holes(mm, base), op.size(), op.alignment(), rangeStart, rangeEnd, op.mode());
                try {
                    RangeNode<Integer> n = mm.insertInRange(0, op.size(), op.alignment(), 0, base + rangeStart,
                            base + rangeEnd, op.mode());
                    assertEquals(expected, n.start() - base, () -> op + " in " + holesBefore(mm, n));
                    live.add(n);
                } catch (DrmException e) {
                    assertEquals(Errno.ENOSPC, e.errno());
                    assertEquals(-1, expected, () -> "refused " + op + " with holes " + mm.holes());
                }
            }
            checkInvariants(mm, live, base);
        }
    }

    private static String holesBefore(RangeAllocator<Integer> mm, RangeNode<Integer> n) {
        return mm.holes() + " after placing " + n;
    }

    private static boolean covered(List<Span> holes, long start, long end) {
        return holes.stream().anyMatch(h -> h.start() <= start && end <= h.end());
    }

    /** Brute force: the start each mode's rule picks, or -1 for ENOSPC. */
    private static long expectedStart(List<Span> holes, long size, long alignment, long rangeStart, long rangeEnd,
            InsertMode mode) {
        long best = -1;
        long bestHole = Long.MAX_VALUE;
        for (Span hole : holes) {
            long lo = Math.max(hole.start(), rangeStart);
            long hi = Math.min(hole.end(), rangeEnd);
            long placed = fit(lo, hi, size, alignment, mode);
            if (placed < 0) {
                continue;
            }
            switch (mode) {
                case LOW -> {
                    if (best < 0) {
                        best = placed;
                    }
                }
                case HIGH -> best = placed;
                case BEST -> {
                    if (hole.size() < bestHole) {
                        bestHole = hole.size();
                        best = placed;
                    }
                }
                default -> throw new IllegalArgumentException();
            }
        }
        return best;
    }

    private static long fit(long lo, long hi, long size, long alignment, InsertMode mode) {
        if (hi - lo < size) {
            return -1;
        }
        long a = alignment <= 1 ? 1 : alignment;
        long placed = mode == InsertMode.HIGH ? Math.floorDiv(hi - size, a) * a : Math.ceilDiv(lo, a) * a;
        return placed >= lo && placed + size <= hi ? placed : -1;
    }

    private static void checkInvariants(RangeAllocator<Integer> mm, List<RangeNode<Integer>> live, long base) {
        List<RangeNode<Integer>> nodes = mm.nodes();
        assertEquals(live.size(), nodes.size());
        long cursor = 0;
        long free = 0;
        long largest = 0;
        List<Span> holes = holes(mm, base);
        int h = 0;
        for (RangeNode<Integer> n : nodes) {
            long start = n.start() - base;
            assertTrue(start >= cursor, "overlap or disorder at " + n);
            if (start > cursor) {
                assertEquals(new Span(cursor, start), holes.get(h++));
                free += start - cursor;
                largest = Math.max(largest, start - cursor);
            }
            cursor = n.end() - base;
        }
        if (cursor < 1024) {
            assertEquals(new Span(cursor, 1024), holes.get(h++));
            free += 1024 - cursor;
            largest = Math.max(largest, 1024 - cursor);
        }
        assertEquals(holes.size(), h);
        assertEquals(free, mm.freeSpace());
        assertEquals(largest, mm.largestHole());
    }
}
