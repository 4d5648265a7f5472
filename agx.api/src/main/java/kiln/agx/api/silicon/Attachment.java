package kiln.agx.api.silicon;

/**
 * A render target attachment in GPU memory ({@link RenderFormats}: RGBA8 colour or float
 * depth).
 *
 * @param address     GPU VA of the first pixel
 * @param strideBytes bytes from one row to the next
 * @param load        {@code true} to load the tile from memory, {@code false} to clear it
 * @param clearValue  the clear value: an RGBA8 word for colour, float bits for depth
 * @param store       write the tile back when done
 */
public record Attachment(long address, int strideBytes, boolean load, int clearValue, boolean store) {
    /** An attachment cleared to {@code clearValue} and stored. */
    public static Attachment cleared(long address, int strideBytes, int clearValue) {
        return new Attachment(address, strideBytes, false, clearValue, true);
    }

    /** An attachment loaded and stored (a partial render's later passes). */
    public static Attachment loaded(long address, int strideBytes) {
        return new Attachment(address, strideBytes, true, 0, true);
    }
}
