package kiln.drm.impl.mm;

/**
 * The holes of one allocator ordered by address, as a treap whose nodes are the {@link MmNode}s
 * themselves (no allocation per hole). Each tree node knows the largest hole in its subtree, which
 * gives the kernel's O(1) oversize rejection (the root's maximum) and O(log n) "first hole of at
 * least n bytes above/below an address" for LOW and HIGH. Not thread-safe: the allocator's lock
 * guards it.
 */
final class HoleTree<T> {
    private MmNode<T> root;
    private int seed = 0x9E3779B9;

    long largest() {
        return root == null ? 0 : root.subtreeMaxHole;
    }

    void add(MmNode<T> node) {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        node.priority = seed;
        node.left = null;
        node.right = null;
        node.subtreeMaxHole = node.holeSize;
        root = insert(root, node);
    }

    void remove(MmNode<T> node) {
        root = delete(root, node);
        node.left = null;
        node.right = null;
    }

    /**
     * Puts {@code replacement} where {@code indexed} is, in one descent and with no rotation. Only
     * valid when no other hole lies between their addresses (a hole handing its place to the
     * node just above it, as happens when a node fills the bottom of a hole).
     */
    void replace(MmNode<T> indexed, MmNode<T> replacement) {
        replacement.priority = indexed.priority;
        root = replace(root, indexed, replacement);
        indexed.left = null;
        indexed.right = null;
    }

    /** Re-reads {@code node}'s hole size into the maxima above it, after it changed in place. */
    void resized(MmNode<T> node) {
        resized(root, node);
    }

    /** Every hole by address, into {@code out}: O(holes), not O(nodes). */
    void inOrder(java.util.function.Consumer<MmNode<T>> out) {
        java.util.ArrayDeque<MmNode<T>> path = new java.util.ArrayDeque<>();
        MmNode<T> t = root;
        while (t != null || !path.isEmpty()) {
            while (t != null) {
                path.push(t);
                t = t.left;
            }
            t = path.pop();
            out.accept(t);
            t = t.right;
        }
    }

    /** The hole with the highest start at or below {@code address}, or null. */
    MmNode<T> floor(long address) {
        MmNode<T> t = root;
        MmNode<T> candidate = null;
        while (t != null) {
            if (U64.le(t.gapStart(), address)) {
                candidate = t;
                t = t.right;
            } else {
                t = t.left;
            }
        }
        return candidate;
    }

    /** The hole containing {@code address} ({@code hole start <= address < hole end}), or null. */
    MmNode<T> containing(long address) {
        MmNode<T> candidate = floor(address);
        return candidate != null && U64.lt(address, candidate.gapEnd()) ? candidate : null;
    }

    /** The lowest hole ending above {@code endAbove} with at least {@code size}, or null. */
    MmNode<T> lowest(long endAbove, long size) {
        return lowest(root, endAbove, size);
    }

    /** The highest hole starting below {@code startBelow} with at least {@code size}, or null. */
    MmNode<T> highest(long startBelow, long size) {
        return highest(root, startBelow, size);
    }

    private static <T> MmNode<T> lowest(MmNode<T> t, long endAbove, long size) {
        while (t != null && U64.le(size, t.subtreeMaxHole)) {
            if (U64.lt(endAbove, t.gapEnd())) {
                MmNode<T> inLeft = lowest(t.left, endAbove, size);
                if (inLeft != null) {
                    return inLeft;
                }
                if (U64.le(size, t.holeSize)) {
                    return t;
                }
            }
            t = t.right;
        }
        return null;
    }

    private static <T> MmNode<T> highest(MmNode<T> t, long startBelow, long size) {
        while (t != null && U64.le(size, t.subtreeMaxHole)) {
            if (U64.lt(t.gapStart(), startBelow)) {
                MmNode<T> inRight = highest(t.right, startBelow, size);
                if (inRight != null) {
                    return inRight;
                }
                if (U64.le(size, t.holeSize)) {
                    return t;
                }
            }
            t = t.left;
        }
        return null;
    }

    private static <T> MmNode<T> replace(MmNode<T> t, MmNode<T> indexed, MmNode<T> replacement) {
        if (t == null) {
            throw new IllegalStateException("hole not indexed: " + indexed);
        }
        if (t == indexed) {
            replacement.left = t.left;
            replacement.right = t.right;
            update(replacement);
            return replacement;
        }
        if (U64.lt(indexed.gapStart(), t.gapStart())) {
            t.left = replace(t.left, indexed, replacement);
        } else {
            t.right = replace(t.right, indexed, replacement);
        }
        update(t);
        return t;
    }

    private static void resized(MmNode<?> t, MmNode<?> node) {
        if (t == null) {
            throw new IllegalStateException("hole not indexed: " + node);
        }
        if (t != node) {
            resized(U64.lt(node.gapStart(), t.gapStart()) ? t.left : t.right, node);
        }
        update(t);
    }

    private static <T> MmNode<T> insert(MmNode<T> t, MmNode<T> node) {
        if (t == null) {
            return node;
        }
        if (U64.lt(node.gapStart(), t.gapStart())) {
            t.left = insert(t.left, node);
            if (t.left.priority > t.priority) {
                t = rotateRight(t);
            }
        } else {
            t.right = insert(t.right, node);
            if (t.right.priority > t.priority) {
                t = rotateLeft(t);
            }
        }
        update(t);
        return t;
    }

    private static <T> MmNode<T> delete(MmNode<T> t, MmNode<T> node) {
        if (t == null) {
            throw new IllegalStateException("hole not indexed: " + node);
        }
        if (t == node) {
            return merge(t.left, t.right);
        }
        if (U64.lt(node.gapStart(), t.gapStart())) {
            t.left = delete(t.left, node);
        } else {
            t.right = delete(t.right, node);
        }
        update(t);
        return t;
    }

    private static <T> MmNode<T> merge(MmNode<T> a, MmNode<T> b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (a.priority > b.priority) {
            a.right = merge(a.right, b);
            update(a);
            return a;
        }
        b.left = merge(a, b.left);
        update(b);
        return b;
    }

    private static <T> MmNode<T> rotateRight(MmNode<T> t) {
        MmNode<T> l = t.left;
        t.left = l.right;
        l.right = t;
        update(t);
        update(l);
        return l;
    }

    private static <T> MmNode<T> rotateLeft(MmNode<T> t) {
        MmNode<T> r = t.right;
        t.right = r.left;
        r.left = t;
        update(t);
        update(r);
        return r;
    }

    private static void update(MmNode<?> t) {
        long max = t.holeSize;
        if (t.left != null && U64.lt(max, t.left.subtreeMaxHole)) {
            max = t.left.subtreeMaxHole;
        }
        if (t.right != null && U64.lt(max, t.right.subtreeMaxHole)) {
            max = t.right.subtreeMaxHole;
        }
        t.subtreeMaxHole = max;
    }
}
