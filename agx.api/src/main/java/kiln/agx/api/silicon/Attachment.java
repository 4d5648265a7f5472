package kiln.agx.api.silicon;

/**
 * A render target attachment in GPU memory ({@link RenderFormats}: RGBA8 colour or float
 * depth), in one of two layouts. {@link Layout#LINEAR}: rows of pixels {@code strideBytes}
 * apart. {@link Layout#TILED}: the GPU's own layout, whole 32x32-pixel tiles of 4 KiB one after
 * another in row-major tile order (a partial tile at the right or bottom edge still takes 4 KiB,
 * its pixels at their place in the full tile); {@code strideBytes} is ignored.
 *
 * @param address     GPU VA of the first pixel (or tile)
 * @param strideBytes bytes from one row to the next, for {@link Layout#LINEAR}
 * @param layout      how pixels are laid out
 * @param load        {@code true} to load the tile from memory, {@code false} to clear it
 * @param clearValue  the clear value: an RGBA8 word for colour, float bits for depth
 * @param store       write the tile back when done
 */
public record Attachment(long address, int strideBytes, Layout layout, boolean load, int clearValue, boolean store) {
    /** Pixel layouts. */
    public enum Layout {
        /** Rows of pixels, {@code strideBytes} apart. */
        LINEAR,
        /** Whole 32x32 tiles of 4 KiB, row-major tile order. */
        TILED
    }

    /** A linear attachment cleared to {@code clearValue} and stored. */
    public static Attachment cleared(long address, int strideBytes, int clearValue) {
        return new Attachment(address, strideBytes, Layout.LINEAR, false, clearValue, true);
    }

    /** A linear attachment loaded and stored (a partial render's later passes). */
    public static Attachment loaded(long address, int strideBytes) {
        return new Attachment(address, strideBytes, Layout.LINEAR, true, 0, true);
    }

    /** The same attachment in another layout. */
    public Attachment withLayout(Layout newLayout) {
        return new Attachment(address, strideBytes, newLayout, load, clearValue, store);
    }

    /** Bytes a tiled attachment of a target takes. */
    public static long tiledBytes(int width, int height) {
        return (long) RenderFormats.tiles(width) * RenderFormats.tiles(height) * RenderFormats.TILE_PIXELS
                * RenderFormats.TILE_PIXELS * 4;
    }
}
