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
    private final ColorAdjust<T> colorAdjust;
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
        if (start < 0 || size <= 0 || start + size < 0) {
            throw new DrmException(Errno.EINVAL, "bad allocator range start " + start + " size " + size);
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
        checkArguments(size, alignment, color, rangeStart, rangeEnd, mode);
        checkMutable();
        if (size == 0 || rangeEnd - rangeStart < size) {
            throw DrmException.quiet(Errno.ENOSPC, "no room for " + size + " in " + name);
        }
        if (byAddress.largest() < size) {
            throw DrmException.quiet(Errno.ENOSPC, noHole);
        }
        if (alignment <= 1) {
            alignment = 0;
        }
        for (MmNode<T> hole = firstHole(rangeStart, rangeEnd, size, mode); hole != null;
                hole = nextHole(hole, size, mode)) {
            long holeStart = hole.holeStart();
            long holeEnd = hole.holeEnd();
            if (mode == InsertMode.LOW && holeStart >= rangeEnd || mode == InsertMode.HIGH && holeEnd <= rangeStart) {
                break;
            }
            long colStart = holeStart;
            long colEnd = holeEnd;
            if (colorAdjust != null) {
                Span usable = adjust(hole, color, holeStart, holeEnd);
                colStart = usable.start();
                colEnd = usable.end();
            }
            long lowest = Math.max(colStart, rangeStart);
            long highest = Math.min(colEnd, rangeEnd);
            long placed = placement(lowest, highest, size, alignment, mode);
            if (placed < 0) {
                continue;
            }
            return link(hole, new MmNode<>(this, placed, size, color, value));
        }
        throw DrmException.quiet(Errno.ENOSPC, "no hole fits " + size + " in " + name);
    }

    /** Where a node goes in the usable span {@code [lowest, highest)}, or -1 if it does not fit. */
    private static long placement(long lowest, long highest, long size, long alignment, InsertMode mode) {
        if (highest <= lowest || highest - lowest < size) {
            return -1;
        }
        long placed = mode == InsertMode.HIGH ? highest - size : lowest;
        if (alignment != 0) {
            long remainder = placed % alignment;
            if (remainder != 0) {
                placed -= remainder;
                if (mode != InsertMode.HIGH) {
                    placed += alignment;
                }
                if (placed < lowest || highest - placed < size) {
                    return -1;
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
        };
    }

    private MmNode<T> nextHole(MmNode<T> hole, long size, InsertMode mode) {
        return switch (mode) {
            case BEST -> bySize.higher(hole);
            case LOW -> byAddress.lowest(hole.holeEnd(), size);
            case HIGH -> byAddress.highest(hole.holeStart(), size);
            case EVICT -> hole.stackNext == stack ? null : hole.stackNext;
        };
    }

    @Override
    public synchronized RangeNode<T> reserve(T value, long start, long size, long color) throws DrmException {
        if (start < 0 || size < 0 || color < 0) {
            throw new DrmException(Errno.EINVAL, "negative reservation start " + start + " size " + size);
        }
        checkMutable();
        long end = start + size;
        if (end <= start) {
            throw DrmException.quiet(Errno.ENOSPC, "empty or overflowing reservation at " + start);
        }
        MmNode<T> hole = byAddress.containing(start);
        if (hole == null) {
            throw DrmException.quiet(Errno.ENOSPC, "0x" + Long.toHexString(start) + " is not free in " + name);
        }
        long adjStart = hole.holeStart();
        long adjEnd = hole.holeEnd();
        if (colorAdjust != null) {
            Span usable = adjust(hole, color, adjStart, adjEnd);
            adjStart = usable.start();
            adjEnd = usable.end();
        }
        if (adjStart > start || adjEnd < end) {
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
        long holeEnd = hole.holeEnd();
        node.prev = hole;
        node.next = hole.next;
        hole.next.prev = node;
        hole.next = node;
        long below = node.start - hole.holeStart();
        long above = holeEnd - node.holeStart();
        bySize.remove(hole);
        unstack(hole);
        if (below > 0) {
            hole.holeSize = below;
            byAddress.resized(hole);
            bySize.add(hole);
            stack(hole);
            if (above > 0) {
                node.holeSize = above;
                addHole(node);
            }
        } else {
            hole.holeSize = 0;
            if (above > 0) {
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
        long holeEnd = n.holeEnd();
        if (n.holeSize > 0) {
            removeHole(n);
        }
        if (prev.holeSize > 0) {
            removeHole(prev);
        }
        prev.next = n.next;
        n.next.prev = prev;
        n.prev = null;
        n.next = null;
        prev.holeSize = holeEnd - prev.holeStart();
        addHole(prev);
        n.allocated = false;
        nodeCount--;
        used -= n.size;
    }

    @Override
    public synchronized EvictionScan<T> scan(long size, long alignment, long color, long rangeStart, long rangeEnd,
            InsertMode mode) throws DrmException {
        checkArguments(size, alignment, color, rangeStart, rangeEnd, mode);
        if (size == 0 || rangeEnd - rangeStart < size) {
            throw new DrmException(Errno.EINVAL, "scan for " + size + " in a range of " + (rangeEnd - rangeStart));
        }
        if (closed) {
            throw new DrmException(Errno.ENODEV, name + " was taken down");
        }
        return new MmScan<>(this, size, alignment <= 1 ? 0 : alignment, color, rangeStart, rangeEnd, mode);
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
        long holeStart = hole.holeStart();
        long holeEnd = hole.next == head ? end : hole.next.start;
        long colStart = holeStart;
        long colEnd = holeEnd;
        if (colorAdjust != null) {
            Span usable = colorAdjust.adjust(hole == head ? null : hole, hole.next == head ? null : hole.next, color,
                    new Span(holeStart, holeEnd));
            colStart = usable.start();
            colEnd = usable.end();
        }
        long placed = placement(Math.max(colStart, rangeStart), Math.min(colEnd, rangeEnd), size, alignment, mode);
        return placed < 0 ? null : new Span(placed, placed + size);
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
            long holeStart = hole.holeStart();
            long holeEnd = hole.holeEnd();
            if (holeStart <= hit.start() && holeEnd >= hit.end()) {
                Span usable = adjust(hole, color, holeStart, holeEnd);
                if (usable.start() > hit.start()) {
                    return hole == head ? null : hole;
                }
                if (usable.end() < hit.end()) {
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
        if (usable.start() < holeStart || usable.end() > holeEnd) {
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

    private void checkArguments(long size, long alignment, long color, long rangeStart, long rangeEnd,
            InsertMode mode) throws DrmException {
        if (size < 0 || alignment < 0 || color < 0 || rangeStart < 0 || rangeEnd < rangeStart || mode == null) {
            throw new DrmException(Errno.EINVAL, "bad request size " + size + " alignment " + alignment + " color "
                    + color + " range [" + rangeStart + ", " + rangeEnd + ") mode " + mode);
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

    @Override
    public synchronized List<Span> holes() {
        List<Span> holes = new ArrayList<>();
        for (MmNode<T> n = head;; n = n.next) {
            if (n.holeSize > 0) {
                holes.add(new Span(n.holeStart(), n.holeEnd()));
            }
            if (n.next == head) {
                return holes;
            }
        }
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
