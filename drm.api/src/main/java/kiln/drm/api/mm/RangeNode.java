package kiln.drm.api.mm;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One allocation in a {@link RangeAllocator}: {@code [start, start + size)} with a colour and the
 * driver's value. Start, size, colour and value never change; after
 * {@link RangeAllocator#remove removal} they still read what they were, and
 * {@link #isAllocated()} is false.
 *
 * @param <T> the driver's value type
 */
@ProviderType
public interface RangeNode<T> {
    /** First address of the node. */
    long start();

    /** Size in the allocator's unit (bytes for an address space). */
    long size();

    /** One past the last address: {@code start() + size()}. */
    default long end() {
        return start() + size();
    }

    /** The colour given at insertion. */
    long color();

    /** The driver value given at insertion. */
    T value();

    /** Whether the node is still in its allocator. */
    boolean isAllocated();

    /** The allocator the node belongs to ({@code node->mm}). */
    RangeAllocator<T> allocator();

    /** {@code drm_mm_hole_follows}: whether a hole follows the node now (false once removed). */
    boolean holeFollows();

    /** {@code drm_mm_hole_node_start}: where the hole after the node starts, its {@link #end()}. */
    long holeStart();

    /** {@code drm_mm_hole_node_end}: where the hole after the node ends now ({@link #holeStart()} if none). */
    long holeEnd();
}
