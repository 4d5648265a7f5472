package kiln.drm.api.mm;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The LRU eviction scan roster of drm_mm ({@code drm_mm_scan_*}): finds which nodes to evict to
 * make room for an allocation, without changing the allocator.
 *
 * <p>Protocol, as in the kernel: {@link #add add} candidate nodes, least recently used first,
 * until it returns true (a hole of the requested size, alignment and colour now exists if the
 * added nodes were gone). More nodes may still be added: each one that frees a fitting hole
 * replaces the hit ({@code drm_mm_scan_add_block}), one that does not leaves it. Then {@link #remove remove} <em>every</em> added node from the scan
 * again, in the reverse order of adding; remove answers true for the nodes that must be evicted.
 * After the last remove the scan is over: evict the nodes it named (with
 * {@link RangeAllocator#remove}), call {@link #colorEvict()} until it returns {@code null} when
 * the allocator has a colour callback, and insert with {@link InsertMode#EVICT}.
 *
 * <p>While any block is added, the allocator answers EBUSY to insert, reserve and remove. A scan
 * is driven by one thread. Adding a node twice, adding a node of another allocator or removing
 * out of order is a bug and throws {@link IllegalStateException}.
 *
 * @param <T> the allocator's value type
 */
@ProviderType
public interface EvictionScan<T> {
    /**
     * Adds a node to the roster, as if it were evicted.
     *
     * @return true if, with this node gone, a hole the scan looks for exists (it is the hit now)
     */
    boolean add(RangeNode<T> node);

    /**
     * Takes a node back out of the roster (reverse order of {@link #add}).
     *
     * @return true if the node overlaps the hole found and must be evicted
     */
    boolean remove(RangeNode<T> node);

    /**
     * After the evictions: a neighbour of the found hole that must also go because the colour
     * callback shrinks the hole below what was found, or {@code null}.
     */
    RangeNode<T> colorEvict();

    /** The range the scan found, valid once {@link #add} returned true. */
    Span hit();
}
