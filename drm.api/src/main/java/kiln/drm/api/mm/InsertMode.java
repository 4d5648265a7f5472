package kiln.drm.api.mm;

/**
 * Where an insertion looks for a hole, as {@code enum drm_mm_insert_mode}. The {@code *_ONCE}
 * modes, {@link #LOWEST} and {@link #HIGHEST} carry the kernel's {@code DRM_MM_INSERT_ONCE}: only
 * the first hole the search finds is tried, so LOWEST answers ENOSPC rather than go higher when the
 * lowest hole large enough cannot take the node (its alignment or colour, say).
 */
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
    EVICT,
    /** {@code DRM_MM_INSERT_LOWEST}: LOW, first hole only. */
    LOWEST,
    /** {@code DRM_MM_INSERT_HIGHEST}: HIGH, first hole only. */
    HIGHEST,
    /** {@code DRM_MM_INSERT_BEST | DRM_MM_INSERT_ONCE}. */
    BEST_ONCE,
    /** {@code DRM_MM_INSERT_EVICT | DRM_MM_INSERT_ONCE}. */
    EVICT_ONCE;

    /** The search order: BEST, LOW, HIGH or EVICT. */
    public InsertMode base() {
        return switch (this) {
            case LOWEST -> LOW;
            case HIGHEST -> HIGH;
            case BEST_ONCE -> BEST;
            case EVICT_ONCE -> EVICT;
            default -> this;
        };
    }

    /** Whether only the first hole found is tried ({@code DRM_MM_INSERT_ONCE}). */
    public boolean once() {
        return base() != this;
    }
}
