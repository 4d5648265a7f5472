package kiln.drm.api.mm;

/**
 * An address range {@code [start, end)}; empty when {@code end <= start}.
 *
 * @param start first address
 * @param end   one past the last address
 */
public record Span(long start, long end) {
    /** Bytes (units) in the range; 0 when empty. */
    public long size() {
        return end > start ? end - start : 0;
    }
}
