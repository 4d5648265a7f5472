package kiln.agx.api.silicon;

/**
 * The in-memory formats of Kiln's render pipeline. Apple's tiler heap, region headers and
 * attachment layouts are undocumented, so these are Kiln's own, chosen to behave like the real
 * ones where it matters: 32x32-pixel tiles, a heap of per-tile primitive lists in GPU memory
 * that can run out (and force a partial render), attachments in plain GPU memory.
 *
 * <h2>Vertices (read by the tiler)</h2>
 * {@link #VERTEX_BYTES} bytes per vertex, little-endian floats: clip-space {@code x, y, z, w},
 * then colour {@code r, g, b, a} in 0..1. Optional indices are 32-bit. Every three vertices
 * (or indices) make a triangle, both windings drawn.
 *
 * <h2>Transform</h2>
 * A triangle with a vertex at {@code w <= 0} is dropped (no near-plane clipping). Otherwise
 * {@code ndc = xyz / w}; the screen position is {@code ((ndc.x + 1) / 2 * width,
 * (1 - ndc.y) / 2 * height)} (y down), snapped to 1/{@value #SUBPIXELS} pixel; depth is
 * {@code ndc.z / 2 + 0.5}; colours are rounded to 8 bits. Degenerate triangles are dropped.
 *
 * <h2>Tiler heap (TVB)</h2>
 * A heap of {@code heapBytes} at {@code heapAddress}: a {@value #HEAP_HEADER_BYTES}-byte
 * header whose first word is the bytes in use (from the heap start), then allocations:
 * {@value #PRIMITIVE_BYTES}-byte primitive records (three vertices as fixed-point
 * {@code x, y} ints, three float depths, three RGBA8 colours) and {@value #BLOCK_BYTES}-byte
 * list blocks ({@code next} offset, entry count, {@value #BLOCK_ENTRIES} primitive offsets).
 * Offsets are bytes from the heap start; 0 ends a list.
 *
 * <h2>Tile map</h2>
 * One {@value #TILE_ENTRY_BYTES}-byte entry per tile, row-major ({@code ceil(width / 32)} tiles
 * per row): the offset of the tile's first list block and its primitive count.
 *
 * <h2>Attachments</h2>
 * Colour is RGBA8 (bytes R, G, B, A), depth is 32-bit float; both row-major with a byte stride.
 * The depth test is "less"; fragments with depth outside [0, 1] are discarded.
 *
 * <h2>Coverage</h2>
 * A pixel is covered when its centre is inside the triangle, by exact integer edge functions on
 * the snapped positions, with the top-left rule for centres exactly on an edge: a centre on a
 * top edge (horizontal, triangle below) or a left edge is in, on any other edge out. Two
 * triangles sharing an edge therefore cover each pixel along it exactly once.
 */
public final class RenderFormats {
    private RenderFormats() {
    }

    /** Tile edge in pixels. */
    public static final int TILE_PIXELS = 32;
    /** Sub-pixel positions per pixel (8 bits of sub-pixel precision). */
    public static final int SUBPIXELS = 256;
    /** Bytes per input vertex. */
    public static final int VERTEX_BYTES = 32;
    /** Heap header bytes. */
    public static final int HEAP_HEADER_BYTES = 64;
    /** Bytes per primitive record. */
    public static final int PRIMITIVE_BYTES = 48;
    /** Bytes per list block. */
    public static final int BLOCK_BYTES = 64;
    /** Primitive offsets per list block. */
    public static final int BLOCK_ENTRIES = 14;
    /** Bytes per tile-map entry. */
    public static final int TILE_ENTRY_BYTES = 8;
    /** Largest render target edge in pixels. */
    public static final int MAX_TARGET_PIXELS = 16384;

    /** Tiles along an edge of {@code pixels}. */
    public static int tiles(int pixels) {
        return (pixels + TILE_PIXELS - 1) / TILE_PIXELS;
    }

    /** Tile-map bytes for a target. */
    public static long tileMapBytes(int width, int height) {
        return (long) tiles(width) * tiles(height) * TILE_ENTRY_BYTES;
    }
}
