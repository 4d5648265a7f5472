package kiln.drm.api.mm;

/** Where an insertion looks for a hole, as {@code enum drm_mm_insert_mode}. */
public enum InsertMode {
    /** The smallest hole that fits; the node goes at its bottom. */
    BEST,
    /** The lowest-addressed hole that fits; the node goes at its bottom. */
    LOW,
    /** The highest-addressed hole that fits; the node goes at its top (alignment applies to its start). */
    HIGH,
    /**
     * The most recently created hole first: after an {@link EvictionScan} evicted nodes, the hole
     * they left is used. The node goes at the bottom of the hole.
     */
    EVICT
}
