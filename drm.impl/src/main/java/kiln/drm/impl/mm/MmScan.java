package kiln.drm.impl.mm;

import java.util.ArrayDeque;

import kiln.drm.api.mm.EvictionScan;
import kiln.drm.api.mm.InsertMode;
import kiln.drm.api.mm.RangeNode;
import kiln.drm.api.mm.Span;

/** One eviction scan ({@code struct drm_mm_scan}); driven by one thread. */
final class MmScan<T> implements EvictionScan<T> {
    private final DrmMm<T> mm;
    private final long size;
    private final long alignment;
    private final long color;
    private final long rangeStart;
    private final long rangeEnd;
    private final InsertMode mode;
    private final ArrayDeque<MmNode<T>> added = new ArrayDeque<>();
    private Span hit;

    MmScan(DrmMm<T> mm, long size, long alignment, long color, long rangeStart, long rangeEnd, InsertMode mode) {
        this.mm = mm;
        this.size = size;
        this.alignment = alignment;
        this.color = color;
        this.rangeStart = rangeStart;
        this.rangeEnd = rangeEnd;
        this.mode = mode;
    }

    /**
     * {@code drm_mm_scan_add_block}: blocks may be added after a hole was found; a later block
     * that frees a fitting hole replaces the hit, one that does not keeps it.
     */
    @Override
    public boolean add(RangeNode<T> node) {
        MmNode<T> n = cast(node);
        Span found = mm.scanAdd(n, size, alignment, color, rangeStart, rangeEnd, mode);
        added.push(n);
        if (found != null) {
            hit = found;
        }
        return found != null;
    }

    @Override
    public boolean remove(RangeNode<T> node) {
        if (added.peek() != node) {
            throw new IllegalStateException("scan blocks must be removed in reverse order of adding; expected "
                    + added.peek() + ", got " + node);
        }
        MmNode<T> n = added.pop();
        mm.scanRemove(n);
        return hit != null && U64.lt(hit.start(), n.start + n.size) && U64.lt(n.start, hit.end());
    }

    @Override
    public RangeNode<T> colorEvict() {
        if (hit == null || !added.isEmpty()) {
            throw new IllegalStateException("colorEvict needs a finished scan that found a hole");
        }
        return mm.scanColorEvict(hit, color);
    }

    @Override
    public Span hit() {
        return hit;
    }

    @SuppressWarnings("unchecked")
    private MmNode<T> cast(RangeNode<T> node) {
        if (node instanceof MmNode<?> n) {
            return (MmNode<T>) n;
        }
        throw new IllegalStateException("not a drm_mm node: " + node);
    }
}
