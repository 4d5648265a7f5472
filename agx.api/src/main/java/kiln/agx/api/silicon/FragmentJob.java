package kiln.agx.api.silicon;

/**
 * Fragment work: for every tile, load or clear its attachments, rasterise its primitive list in
 * order with the depth test, and store.
 *
 * <h2>Fragment programs</h2>
 * With {@code programAddress} 0 colour comes from the fixed-function path (flat, or
 * interpolated vertex colour). Otherwise every fragment that passes the depth test (which is
 * done first, and writes depth) runs the KSA program at {@code programAddress} as one thread
 * with {@code r0..r3} = the interpolated vertex colour (R, G, B, A as floats in 0..1, not
 * rounded), {@code r4, r5} = the pixel's x and y, {@code r6} = its depth (float), and the
 * uniforms from {@code uniformsAddress}; at {@code stop} its {@code r0..r3} (floats, clamped
 * to 0..1) are the pixel's colour. Fragments of one primitive in one tile run as batches; a
 * fragment program that writes memory two fragments share is racy.
 *
 * @param vmSlot          the UAT context
 * @param width           render target width, pixels
 * @param height          render target height, pixels
 * @param tileMapAddress  GPU VA of the tile map the tiler filled
 * @param heapAddress     GPU VA of the tiler heap
 * @param color           the colour attachment
 * @param depth           the depth attachment, or {@code null} for none (no depth test)
 * @param programAddress  GPU VA of a fragment program, or 0 for fixed function
 * @param uniformsAddress GPU VA of the program's uniforms (64-bit words)
 * @param uniformCount    uniforms to load
 */
public record FragmentJob(int vmSlot, int width, int height, long tileMapAddress, long heapAddress, Attachment color,
        Attachment depth, long programAddress, long uniformsAddress, int uniformCount) {
    /** A fixed-function job. */
    public FragmentJob(int vmSlot, int width, int height, long tileMapAddress, long heapAddress, Attachment color,
            Attachment depth) {
        this(vmSlot, width, height, tileMapAddress, heapAddress, color, depth, 0, 0, 0);
    }

    /** The same job shading with a fragment program. */
    public FragmentJob withProgram(long program, long uniforms, int count) {
        return new FragmentJob(vmSlot, width, height, tileMapAddress, heapAddress, color, depth, program, uniforms, count);
    }
}
