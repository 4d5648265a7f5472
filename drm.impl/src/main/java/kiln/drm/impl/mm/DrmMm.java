package kiln.drm.impl.mm;

import java.util.ArrayList;
import java.util.List;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.mm.ColorAdjust;
import kiln.drm.api.mm.EvictionScan;
import kiln.drm.api.mm.InsertMode;
import kiln.drm.api.mm.RangeAllocator;
import kiln.drm.api.mm.RangeNode;
import kiln.drm.api.mm.Span;

/**
 * drm_mm: the placement algorithm of {@code drm_mm_insert_node_in_range} over the three hole
 * indexes. Every public method holds the allocator's monitor.
 */
public final class DrmMm<T> implements RangeAllocator<T> {
    private final String name;
    private final long start;
    private final long end;
    private ColorAdjust<T> colorAdjust;
    /** The oversize answer's message, made once: the O(1) rejection does no string work. */
    private final String noHole;

    /** List sentinel: "node" [start, start) whose hole is the gap below the first node. */
    private final MmNode<T> head;
    /** Hole stack sentinel: most recently created hole at {@code stack.stackNext}. */
    private final MmNode<T> stack;
    private final HoleTree<T> byAddress = new HoleTree<>();
    private final SizeTree<T> bySize = new SizeTree<>();

    private int nodeCount;
    private long used;
    int scanActive;
    private boolean closed;

    public DrmMm(String name, long start, long size, ColorAdjust<T> colorAdjust) throws DrmException {
        if (size == 0 || U64.le(start + size, start)) {
            throw new DrmException(Errno.EINVAL, "bad allocator range start " + U64.hex(start) + " size " + U64.hex(size));
        }
        this.name = name;
        this.start = start;
        this.end = start + size;
        this.colorAdjust = colorAdjust;
        this.noHole = "no hole large enough in " + name;
        head = new MmNode<>(this, start, 0, 0, null);
        head.prev = head;
        head.next = head;
        stack = new MmNode<>(this, start, 0, 0, null);
        stack.stackPrev = stack;
        stack.stackNext = stack;
        head.holeSize = size;
        addHole(head);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long start() {
        return start;
    }

    @Override
    public long size() {
        return end - start;
    }

    @Override
    public synchronized RangeNode<T> insertInRange(T value, long size, long alignment, long color, long rangeStart,
            long rangeEnd, InsertMode mode) throws DrmException {
        checkArguments(rangeStart, rangeEnd, mode);
        checkMutable();
        if (size == 0 || U64.lt(rangeEnd - rangeStart, size)) {
            throw DrmException.quiet(Errno.ENOSPC, "no room for " + U64.hex(size) + " in " + name);
        }
        if (U64.lt(byAddress.largest(), size)) {
            throw DrmException.quiet(Errno.ENOSPC, noHole);
        }
        if (U64.le(alignment, 1)) {
            alignment = 0;
        }
        boolean once = mode.once();
        mode = mode.base();
        for (MmNode<T> hole = firstHole(rangeStart, rangeEnd, size, mode); hole != null;
                hole = once ? null : nextHole(hole, size, mode)) {
            long holeStart = hole.gapStart();
            long holeEnd = hole.gapEnd();
            if (mode == InsertMode.LOW && U64.le(rangeEnd, holeStart) || mode == InsertMode.HIGH && U64.le(holeEnd, rangeStart)) {
                break;
            }
            long colStart = holeStart;
            long colEnd = holeEnd;
            if (colorAdjust != null) {
                Span usable = adjust(hole, color, holeStart, holeEnd);
                colStart = usable.start();
                colEnd = usable.end();
            }
            long lowest = U64.max(colStart, rangeStart);
            long highest = U64.min(colEnd, rangeEnd);
            long placed = placement(lowest, highest, size, alignment, mode);
            if (placed == NO_FIT) {
                continue;
            }
            return link(hole, new MmNode<>(this, placed, size, color, value));
        }
        throw DrmException.quiet(Errno.ENOSPC, "no hole fits " + U64.hex(size) + " in " + name);
    }

    /**
     * What {@link #placement} answers for "does not fit": 2^64 - 1 can never be a placement, since a
     * node of at least one byte must end at or below the allocator's end, itself below 2^64.
     */
    private static final long NO_FIT = -1;

    /** Where a node goes in the usable span {@code [lowest, highest)} (all u64), or {@link #NO_FIT}. */
    private static long placement(long lowest, long highest, long size, long alignment, InsertMode mode) {
        if (U64.le(highest, lowest) || U64.lt(highest - lowest, size)) {
            return NO_FIT;
        }
        long placed = mode == InsertMode.HIGH ? highest - size : lowest;
        if (alignment != 0) {
            long remainder = Long.remainderUnsigned(placed, alignment);
            if (remainder != 0) {
                placed -= remainder;
                if (mode != InsertMode.HIGH) {
                    if (U64.lt(placed + alignment, placed)) {
                        return NO_FIT; // rounding up passes 2^64
                    }
                    placed += alignment;
                }
                if (U64.lt(placed, lowest) || U64.lt(highest, placed) || U64.lt(highest - placed, size)) {
                    return NO_FIT;
                }
            }
        }
        return placed;
    }

    private MmNode<T> firstHole(long rangeStart, long rangeEnd, long size, InsertMode mode) {
        return switch (mode) {
            case BEST -> bySize.ceiling(size);
            case LOW -> byAddress.lowest(rangeStart, size);
            case HIGH -> byAddress.highest(rangeEnd, size);
            case EVICT -> stack.stackNext == stack ? null : stack.stackNext;
            default -> throw new IllegalArgumentException(mode + " is not a base mode");
        };
    }

    private MmNode<T> nextHole(MmNode<T> hole, long size, InsertMode mode) {
        return switch (mode) {
            case BEST -> bySize.higher(hole);
            case LOW -> byAddress.lowest(hole.gapEnd(), size);
            case HIGH -> byAddress.highest(hole.gapStart(), size);
            case EVICT -> hole.stackNext == stack ? null : hole.stackNext;
            default -> throw new IllegalArgumentException(mode + " is not a base mode");
        };
    }

    @Override
    public synchronized RangeNode<T> reserve(T value, long start, long size, long color) throws DrmException {
        checkMutable();
        long end = start + size;
        if (U64.le(end, start)) {
            throw DrmException.quiet(Errno.ENOSPC, "empty or overflowing reservation at " + U64.hex(start));
        }
        MmNode<T> hole = byAddress.containing(start);
        if (hole == null) {
            throw DrmException.quiet(Errno.ENOSPC, "0x" + Long.toHexString(start) + " is not free in " + name);
        }
        long adjStart = hole.gapStart();
        long adjEnd = hole.gapEnd();
        if (colorAdjust != null) {
            Span usable = adjust(hole, color, adjStart, adjEnd);
            adjStart = usable.start();
            adjEnd = usable.end();
        }
        if (U64.lt(start, adjStart) || U64.lt(adjEnd, end)) {
            throw DrmException.quiet(Errno.ENOSPC, "[0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(end)
                    + ") overlaps a node in " + name);
        }
        return link(hole, new MmNode<>(this, start, size, color, value));
    }

    /**
     * Puts {@code node} into {@code hole}, splitting the hole around it. The address index is
     * updated in place where it can (the hole keeps its address; the node's hole, if any, is the
     * next one up), which saves the descents a remove and an add would cost.
     */
    private MmNode<T> link(MmNode<T> hole, MmNode<T> node) {
        long holeEnd = hole.gapEnd();
        node.prev = hole;
        node.next = hole.next;
        hole.next.prev = node;
        hole.next = node;
        long below = node.start - hole.gapStart();
        long above = holeEnd - node.gapStart();
        bySize.remove(hole);
        unstack(hole);
        if (below != 0) {
            hole.holeSize = below;
            byAddress.resized(hole);
            bySize.add(hole);
            stack(hole);
            if (above != 0) {
                node.holeSize = above;
                addHole(node);
            }
        } else {
            hole.holeSize = 0;
            if (above != 0) {
                node.holeSize = above;
                byAddress.replace(hole, node);
                bySize.add(node);
                stack(node);
            } else {
                byAddress.remove(hole);
            }
        }
        node.allocated = true;
        nodeCount++;
        used += node.size;
        return node;
    }

    @Override
    public synchronized void remove(RangeNode<T> node) throws DrmException {
        MmNode<T> n = own(node);
        if (!n.allocated || n.inScan) {
            throw new IllegalStateException("not allocated in " + name + ": " + node);
        }
        checkMutable();
        MmNode<T> prev = n.prev;
        long holeEnd = n.gapEnd();
        if (n.holeSize != 0) {
            removeHole(n);
        }
        if (prev.holeSize != 0) {
            removeHole(prev);
        }
        prev.next = n.next;
        n.next.prev = prev;
        n.prev = null;
        n.next = null;
        prev.holeSize = holeEnd - prev.gapStart();
        addHole(prev);
        n.allocated = false;
        nodeCount--;
        used -= n.size;
    }

    /**
     * {@code drm_mm_replace_node}: a node with {@code value} takes {@code old}'s place (start, size,
     * colour, and the hole after it) in O(1) index updates; {@code old} is no longer allocated.
     */
    @Override
    public synchronized RangeNode<T> replace(RangeNode<T> old, T value) throws DrmException {
        MmNode<T> o = own(old);
        if (!o.allocated || o.inScan) {
            throw new IllegalStateException("not allocated in " + name + ": " + old);
        }
        checkMutable();
        MmNode<T> n = new MmNode<>(this, o.start, o.size, o.color, value);
        n.prev = o.prev;
        n.next = o.next;
        o.prev.next = n;
        o.next.prev = n;
        o.prev = null;
        o.next = null;
        if (o.holeSize != 0) {
            n.holeSize = o.holeSize;
            bySize.remove(o);
            byAddress.replace(o, n);
            bySize.add(n);
            n.stackPrev = o.stackPrev;
            n.stackNext = o.stackNext;
            n.stackPrev.stackNext = n;
            n.stackNext.stackPrev = n;
            o.stackPrev = null;
            o.stackNext = null;
            o.holeSize = 0;
        }
        n.allocated = true;
        o.allocated = false;
        return n;
    }

    /**
     * {@code drm_mm_for_each_node_in_range}: the nodes overlapping {@code [from, to)}, by address.
     * Found from the nearest hole below {@code from} and walked from there: O(log holes + the nodes
     * between that hole and {@code to}) (the kernel keeps an interval tree for this; Kiln's
     * allocator indexes its holes only, which keeps insertion as cheap as the kernel's).
     */
    @Override
    public synchronized List<RangeNode<T>> nodesInRange(long from, long to) {
        List<RangeNode<T>> out = new ArrayList<>();
        if (U64.le(to, from)) {
            return out;
        }
        MmNode<T> below = byAddress.floor(from); // its node ends at or below from
        MmNode<T> n = below == null ? head.next : below.next;
        for (; n != head && U64.lt(n.start, to); n = n.next) {
            if (U64.lt(from, n.start + n.size)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Sets {@code mm->color_adjust}; null removes it. Later placements use it. */
    @Override
    public synchronized void setColorAdjust(ColorAdjust<T> adjust) {
        this.colorAdjust = adjust;
    }

    @Override
    public synchronized EvictionScan<T> scan(long size, long alignment, long color, long rangeStart, long rangeEnd,
            InsertMode mode) throws DrmException {
        checkArguments(rangeStart, rangeEnd, mode);
        if (size == 0 || U64.lt(rangeEnd - rangeStart, size)) {
            throw new DrmException(Errno.EINVAL, "scan for " + U64.hex(size) + " in a range of " + U64.hex(rangeEnd - rangeStart));
        }
        if (closed) {
            throw new DrmException(Errno.ENODEV, name + " was taken down");
        }
        return new MmScan<>(this, size, U64.le(alignment, 1) ? 0 : alignment, color, rangeStart, rangeEnd, mode.base());
    }

    /** {@code drm_mm_scan_add_block}: unlinks the node and tests the hole its absence leaves. */
    synchronized Span scanAdd(MmNode<T> node, long size, long alignment, long color, long rangeStart, long rangeEnd,
            InsertMode mode) {
        if (node.mm != this || !node.allocated || node.inScan) {
            throw new IllegalStateException("cannot scan " + node + " in " + name);
        }
        scanActive++;
        node.inScan = true;
        MmNode<T> hole = node.prev;
        node.prev.next = node.next;
        node.next.prev = node.prev;
        long holeStart = hole.gapStart();
        long holeEnd = hole.next == head ? end : hole.next.start;
        long colStart = holeStart;
        long colEnd = holeEnd;
        if (colorAdjust != null) {
            Span usable = colorAdjust.adjust(hole == head ? null : hole, hole.next == head ? null : hole.next, color,
                    new Span(holeStart, holeEnd));
            colStart = usable.start();
            colEnd = usable.end();
        }
        long placed = placement(U64.max(colStart, rangeStart), U64.min(colEnd, rangeEnd), size, alignment, mode);
        return placed == NO_FIT ? null : new Span(placed, placed + size);
    }

    /** {@code drm_mm_scan_remove_block}: relinks the node (callers keep reverse order). */
    synchronized void scanRemove(MmNode<T> node) {
        node.prev.next = node;
        node.next.prev = node;
        node.inScan = false;
        scanActive--;
    }

    /** {@code drm_mm_scan_color_evict}. */
    synchronized RangeNode<T> scanColorEvict(Span hit, long color) {
        if (colorAdjust == null) {
            return null;
        }
        for (MmNode<T> hole = stack.stackNext; hole != stack; hole = hole.stackNext) {
            long holeStart = hole.gapStart();
            long holeEnd = hole.gapEnd();
            if (U64.le(holeStart, hit.start()) && U64.le(hit.end(), holeEnd)) {
                Span usable = adjust(hole, color, holeStart, holeEnd);
                if (U64.lt(hit.start(), usable.start())) {
                    return hole == head ? null : hole;
                }
                if (U64.lt(usable.end(), hit.end())) {
                    return hole.next == head ? null : hole.next;
                }
                return null;
            }
        }
        return null;
    }

    private Span adjust(MmNode<T> hole, long color, long holeStart, long holeEnd) {
        Span usable = colorAdjust.adjust(hole == head ? null : hole, hole.next == head ? null : hole.next, color,
                new Span(holeStart, holeEnd));
        if (U64.lt(usable.start(), holeStart) || U64.lt(holeEnd, usable.end())) {
            throw new IllegalStateException("color_adjust widened the hole [" + holeStart + ", " + holeEnd + ") to "
                    + usable);
        }
        return usable;
    }

    private void addHole(MmNode<T> node) {
        byAddress.add(node);
        bySize.add(node);
        stack(node);
    }

    private void removeHole(MmNode<T> node) {
        byAddress.remove(node);
        bySize.remove(node);
        unstack(node);
        node.holeSize = 0;
    }

    /** Pushes a new hole on the MRU stack EVICT walks. */
    private void stack(MmNode<T> node) {
        node.stackNext = stack.stackNext;
        node.stackPrev = stack;
        stack.stackNext.stackPrev = node;
        stack.stackNext = node;
    }

    private void unstack(MmNode<T> node) {
        node.stackPrev.stackNext = node.stackNext;
        node.stackNext.stackPrev = node.stackPrev;
        node.stackPrev = null;
        node.stackNext = null;
    }

    /** What the kernel cannot be asked (its BUG_ONs): a range ending below its start, no mode. */
    private static void checkArguments(long rangeStart, long rangeEnd, InsertMode mode) throws DrmException {
        if (U64.lt(rangeEnd, rangeStart) || mode == null) {
            throw new DrmException(Errno.EINVAL, "bad request range [" + U64.hex(rangeStart) + ", " + U64.hex(rangeEnd)
                    + ") mode " + mode);
        }
    }

    private void checkMutable() throws DrmException {
        if (closed) {
            throw new DrmException(Errno.ENODEV, name + " was taken down");
        }
        if (scanActive > 0) {
            throw new DrmException(Errno.EBUSY, name + " is being scanned for eviction");
        }
    }

    @SuppressWarnings("unchecked")
    private MmNode<T> own(RangeNode<T> node) {
        if (node instanceof MmNode<?> n && n.mm == this) {
            return (MmNode<T>) n;
        }
        throw new IllegalStateException("not a node of " + name + ": " + node);
    }

    @Override
    public synchronized int nodeCount() {
        return nodeCount;
    }

    @Override
    public synchronized long largestHole() {
        return byAddress.largest();
    }

    @Override
    public synchronized long freeSpace() {
        return (end - start) - used;
    }

    @Override
    public synchronized List<RangeNode<T>> nodes() {
        List<RangeNode<T>> nodes = new ArrayList<>(nodeCount);
        for (MmNode<T> n = head.next; n != head; n = n.next) {
            nodes.add(n);
        }
        return nodes;
    }

    /** The holes from the address index: O(holes), whatever the number of nodes. */
    @Override
    public synchronized List<Span> holes() {
        List<Span> holes = new ArrayList<>();
        byAddress.inOrder(n -> holes.add(new Span(n.gapStart(), n.gapEnd())));
        return holes;
    }

    @Override
    public synchronized void takedown() throws DrmException {
        if (nodeCount > 0 || scanActive > 0) {
            throw new DrmException(Errno.EBUSY, name + " still has " + nodeCount + " nodes");
        }
        closed = true;
    }

    @Override
    public String toString() {
        return "drm_mm " + name + " [0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(end) + ")";
    }
}
