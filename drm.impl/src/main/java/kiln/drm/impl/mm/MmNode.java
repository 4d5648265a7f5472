package kiln.drm.impl.mm;

import kiln.drm.api.mm.RangeAllocator;
import kiln.drm.api.mm.RangeNode;

/**
 * A node and, as in the kernel, the hole that follows it. All mutable fields are guarded by the
 * owning {@link DrmMm}'s lock, except {@link #allocated}, which any thread may read.
 */
final class MmNode<T> implements RangeNode<T> {
    final DrmMm<T> mm;
    final long start;
    final long size;
    final long color;
    final T value;
    volatile boolean allocated;

    /** Address-ordered circular list through the allocator's sentinel. */
    MmNode<T> prev;
    MmNode<T> next;

    /** Size of the hole following this node; 0 when the next node starts at {@link #end()}. */
    long holeSize;

    /** {@link HoleTree} links: a treap by hole address, augmented with the largest hole below. */
    MmNode<T> left;
    MmNode<T> right;
    int priority;
    long subtreeMaxHole;

    /** {@link SizeTree} links: a treap by (hole size, hole address). */
    MmNode<T> sizeLeft;
    MmNode<T> sizeRight;
    int sizePriority;

    /** MRU hole stack links (EVICT), through the allocator's stack sentinel. */
    MmNode<T> stackPrev;
    MmNode<T> stackNext;

    /** Set while an eviction scan holds this node (unlinked from the list, links kept for undo). */
    boolean inScan;

    MmNode(DrmMm<T> mm, long start, long size, long color, T value) {
        this.mm = mm;
        this.start = start;
        this.size = size;
        this.color = color;
        this.value = value;
    }

    /** Start of the hole after the node (under the allocator's lock). */
    long gapStart() {
        return start + size;
    }

    /** End of the hole after the node (under the allocator's lock). */
    long gapEnd() {
        return start + size + holeSize;
    }

    @Override
    public RangeAllocator<T> allocator() {
        return mm;
    }

    @Override
    public boolean holeFollows() {
        synchronized (mm) {
            return allocated && holeSize != 0;
        }
    }

    @Override
    public long holeStart() {
        return start + size;
    }

    @Override
    public long holeEnd() {
        synchronized (mm) {
            return allocated ? gapEnd() : gapStart();
        }
    }

    @Override
    public long start() {
        return start;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long color() {
        return color;
    }

    @Override
    public T value() {
        return value;
    }

    @Override
    public boolean isAllocated() {
        return allocated;
    }

    @Override
    public String toString() {
        return "[0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(start + size) + ") color " + color;
    }
}
