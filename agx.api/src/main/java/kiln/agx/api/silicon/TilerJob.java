package kiln.agx.api.silicon;

/**
 * Vertex work for the tiler: transform triangles and bin them into the tile lists of a heap
 * ({@link RenderFormats}).
 *
 * <h2>Vertex programs</h2>
 * With a {@code vertexProgram}, every vertex of every triangle binned runs the KSA program as
 * one thread before the fixed-function transform: {@code r0..r7} hold the vertex's eight words
 * (clip-space x, y, z, w, then r, g, b, a, as floats), {@code r8} its index; at {@code stop},
 * {@code r0..r7} are the vertex the tiler uses. Vertices shared by triangles run once per use.
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
 * @param vertexProgram  GPU VA of a KSA vertex program, or 0 to take vertices as they are
 * @param uniformsAddress GPU VA of the vertex program's uniforms (64-bit words)
 * @param uniformCount   uniforms to load
 */
public record TilerJob(int vmSlot, long vertexAddress, long indexAddress, int firstTriangle, int triangleCount,
        int width, int height, long tileMapAddress, long heapAddress, long heapBytes, boolean resetHeap,
        long vertexProgram, long uniformsAddress, int uniformCount) {
    /** A job without a vertex program. */
    public TilerJob(int vmSlot, long vertexAddress, long indexAddress, int firstTriangle, int triangleCount, int width,
            int height, long tileMapAddress, long heapAddress, long heapBytes, boolean resetHeap) {
        this(vmSlot, vertexAddress, indexAddress, firstTriangle, triangleCount, width, height, tileMapAddress,
                heapAddress, heapBytes, resetHeap, 0, 0, 0);
    }

    /** The same job running a vertex program over every vertex first. */
    public TilerJob withVertexProgram(long program, long uniforms, int count) {
        return new TilerJob(vmSlot, vertexAddress, indexAddress, firstTriangle, triangleCount, width, height,
                tileMapAddress, heapAddress, heapBytes, resetHeap, program, uniforms, count);
    }
}
