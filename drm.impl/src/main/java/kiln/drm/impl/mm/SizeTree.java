package kiln.drm.impl.mm;

/**
 * The holes of one allocator ordered by (size, address), for BEST: a treap through the
 * {@link MmNode}s themselves, so indexing a hole allocates nothing. Not thread-safe: the
 * allocator's lock guards it.
 */
final class SizeTree<T> {
    private MmNode<T> root;
    private int seed = 0x2545F491;

    void add(MmNode<T> node) {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        node.sizePriority = seed;
        node.sizeLeft = null;
        node.sizeRight = null;
        root = insert(root, node);
    }

    void remove(MmNode<T> node) {
        root = delete(root, node);
        node.sizeLeft = null;
        node.sizeRight = null;
    }

    /** The smallest hole of at least {@code size} (lowest address among equals), or null. */
    MmNode<T> ceiling(long size) {
        MmNode<T> t = root;
        MmNode<T> candidate = null;
        while (t != null) {
            if (U64.le(size, t.holeSize)) {
                candidate = t;
                t = t.sizeLeft;
            } else {
                t = t.sizeRight;
            }
        }
        return candidate;
    }

    /** The next hole after {@code node} in (size, address) order, or null. */
    MmNode<T> higher(MmNode<T> node) {
        MmNode<T> t = root;
        MmNode<T> candidate = null;
        while (t != null) {
            if (less(node, t)) {
                candidate = t;
                t = t.sizeLeft;
            } else {
                t = t.sizeRight;
            }
        }
        return candidate;
    }

    private static boolean less(MmNode<?> a, MmNode<?> b) {
        return U64.lt(a.holeSize, b.holeSize) || a.holeSize == b.holeSize && U64.lt(a.gapStart(), b.gapStart());
    }

    private static <T> MmNode<T> insert(MmNode<T> t, MmNode<T> node) {
        if (t == null) {
            return node;
        }
        if (less(node, t)) {
            t.sizeLeft = insert(t.sizeLeft, node);
            if (t.sizeLeft.sizePriority > t.sizePriority) {
                MmNode<T> l = t.sizeLeft;
                t.sizeLeft = l.sizeRight;
                l.sizeRight = t;
                return l;
            }
        } else {
            t.sizeRight = insert(t.sizeRight, node);
            if (t.sizeRight.sizePriority > t.sizePriority) {
                MmNode<T> r = t.sizeRight;
                t.sizeRight = r.sizeLeft;
                r.sizeLeft = t;
                return r;
            }
        }
        return t;
    }

    private static <T> MmNode<T> delete(MmNode<T> t, MmNode<T> node) {
        if (t == null) {
            throw new IllegalStateException("hole not indexed by size: " + node);
        }
        if (t == node) {
            return merge(t.sizeLeft, t.sizeRight);
        }
        if (less(node, t)) {
            t.sizeLeft = delete(t.sizeLeft, node);
        } else {
            t.sizeRight = delete(t.sizeRight, node);
        }
        return t;
    }

    private static <T> MmNode<T> merge(MmNode<T> a, MmNode<T> b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (a.sizePriority > b.sizePriority) {
            a.sizeRight = merge(a.sizeRight, b);
            return a;
        }
        b.sizeLeft = merge(a, b.sizeLeft);
        return b;
    }
}
