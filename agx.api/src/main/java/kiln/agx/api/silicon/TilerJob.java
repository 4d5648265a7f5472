package kiln.agx.api.silicon;

/**
 * Vertex work for the tiler: transform triangles and bin them into the tile lists of a heap
 * ({@link RenderFormats}).
 *
 * @param vmSlot         the UAT context
 * @param vertexAddress  GPU VA of the vertices
 * @param indexAddress   GPU VA of 32-bit indices, or 0 to take vertices in order
 * @param firstTriangle  the first triangle to bin (a partial render resumes here)
 * @param triangleCount  triangles in the draw
 * @param width          render target width, pixels
 * @param height         render target height, pixels
 * @param tileMapAddress GPU VA of the tile map
 * @param heapAddress    GPU VA of the heap
 * @param heapBytes      heap size in bytes
 * @param resetHeap      start from an empty heap and tile map (else append to what is there)
 */
public record TilerJob(int vmSlot, long vertexAddress, long indexAddress, int firstTriangle, int triangleCount,
        int width, int height, long tileMapAddress, long heapAddress, long heapBytes, boolean resetHeap) {
}
