package kiln.drm.api.mm;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The driver's {@code color_adjust} callback: given a hole and the colour of the node about to go
 * into it, narrows the part of the hole the node may use (for example to keep a guard page between
 * nodes of different colours). Called with the allocator's lock held; it must not call back into
 * the allocator.
 *
 * @param <T> the allocator's value type
 */
@ConsumerType
@FunctionalInterface
public interface ColorAdjust<T> {
    /**
     * @param before the node below the hole, or {@code null} at the bottom of the range
     * @param after  the node above the hole, or {@code null} at the top of the range
     * @param color  the colour of the node being placed
     * @param hole   the hole's bounds
     * @return the usable part of the hole (may be empty); must lie within {@code hole}
     */
    Span adjust(RangeNode<T> before, RangeNode<T> after, long color, Span hole);
}
