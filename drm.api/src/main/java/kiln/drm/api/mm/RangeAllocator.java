package kiln.drm.api.mm;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;

/**
 * A drm_mm range allocator over {@code [start(), start() + size())}. See the
 * {@linkplain kiln.drm.api.mm package documentation} for placement, complexity, errors and
 * thread-safety; this type owns those rules.
 *
 * <p>Ownership: the allocator owns its nodes' places; the caller owns the nodes and gives them
 * back with {@link #remove}. {@link #takedown()} ends the allocator; the kernel warns when nodes
 * are left at takedown, Kiln refuses with EBUSY.
 *
 * @param <T> the driver value each node carries
 */
@ProviderType
public interface RangeAllocator<T> {
    /** The allocator's name (for the shell and logs). */
    String name();

    /** First address managed. */
    long start();

    /** Size of the managed range. */
    long size();

    /** {@code insert(value, size, 0, 0, InsertMode.BEST)}. */
    default RangeNode<T> insert(T value, long size) throws DrmException {
        return insert(value, size, 0, 0, InsertMode.BEST);
    }

    /** Inserts anywhere in the allocator ({@code drm_mm_insert_node_generic}). */
    default RangeNode<T> insert(T value, long size, long alignment, long color, InsertMode mode)
            throws DrmException {
        return insertInRange(value, size, alignment, color, start(), start() + size(), mode);
    }

    /**
     * Inserts a node of {@code size} inside {@code [rangeStart, rangeEnd)}
     * ({@code drm_mm_insert_node_in_range}).
     *
     * @return the new node
     * @throws DrmException ENOSPC if no hole fits or the size is 0; EINVAL for
     *                      {@code rangeEnd < rangeStart} (unsigned); EBUSY during a scan; ENODEV
     *                      after takedown
     */
    RangeNode<T> insertInRange(T value, long size, long alignment, long color, long rangeStart, long rangeEnd,
            InsertMode mode) throws DrmException;

    /**
     * Places a node at a fixed address ({@code drm_mm_reserve_node}).
     *
     * @throws DrmException ENOSPC if {@code [start, start + size)} overlaps a node, leaves the
     *                      allocator or passes 2^64, or the size is 0; EBUSY during a scan
     */
    RangeNode<T> reserve(T value, long start, long size, long color) throws DrmException;

    /**
     * Removes a node; its range becomes a hole, merged with its neighbours.
     *
     * @throws DrmException EBUSY during a scan
     * @throws IllegalStateException if the node is not allocated in this allocator (the kernel's
     *                               "it is a bug to call this function on an unallocated node")
     */
    void remove(RangeNode<T> node) throws DrmException;

    /**
     * {@code drm_mm_replace_node}: a new node carrying {@code value} takes {@code old}'s place
     * (start, size, colour); {@code old} is no longer allocated.
     *
     * @throws DrmException EBUSY during a scan; ENODEV after takedown
     * @throws IllegalStateException if {@code old} is not allocated here
     */
    RangeNode<T> replace(RangeNode<T> old, T value) throws DrmException;

    /** {@code drm_mm_for_each_node_in_range}: the nodes overlapping {@code [from, to)}, by address. */
    List<RangeNode<T>> nodesInRange(long from, long to);

    /** Sets the colour callback ({@code mm->color_adjust}) after creation; null removes it. */
    void setColorAdjust(ColorAdjust<T> adjust);

    /**
     * Starts an eviction scan for a node of the given shape ({@code drm_mm_scan_init_with_range}).
     *
     * @throws DrmException EINVAL for bad arguments, as for {@link #insertInRange}
     */
    EvictionScan<T> scan(long size, long alignment, long color, long rangeStart, long rangeEnd, InsertMode mode)
            throws DrmException;

    /** Number of allocated nodes. */
    int nodeCount();

    /** Size of the largest hole, in O(1). */
    long largestHole();

    /** Sum of all holes. */
    long freeSpace();

    /** A snapshot of the nodes, by address. */
    List<RangeNode<T>> nodes();

    /** A snapshot of the holes, by address; O(holes), whatever the number of nodes. */
    List<Span> holes();

    /**
     * Ends the allocator ({@code drm_mm_takedown}); later calls answer ENODEV.
     *
     * @throws DrmException EBUSY if nodes are still allocated (nothing changes)
     */
    void takedown() throws DrmException;
}
