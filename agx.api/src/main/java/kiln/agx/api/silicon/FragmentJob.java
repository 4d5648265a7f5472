package kiln.agx.api.silicon;

/**
 * Fragment work: for every tile, load or clear its attachments, rasterise its primitive list in
 * order with the depth test, and store.
 *
 * @param vmSlot         the UAT context
 * @param width          render target width, pixels
 * @param height         render target height, pixels
 * @param tileMapAddress GPU VA of the tile map the tiler filled
 * @param heapAddress    GPU VA of the tiler heap
 * @param color          the colour attachment
 * @param depth          the depth attachment, or {@code null} for none (no depth test)
 */
public record FragmentJob(int vmSlot, int width, int height, long tileMapAddress, long heapAddress, Attachment color,
        Attachment depth) {
}
