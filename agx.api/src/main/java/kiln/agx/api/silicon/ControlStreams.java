package kiln.agx.api.silicon;

/**
 * The control streams (Apple's "encoders") a command's job parameters point at: what the
 * compute data master and the vertex data master read to launch work. The real formats are
 * undocumented register streams; these are Kiln's, one fixed-size record per launch, read from
 * {@code encoder} up to {@code encoder_end} in the command's VM, little-endian.
 *
 * <h2>Compute launch ({@value #COMPUTE_LAUNCH_BYTES} bytes)</h2>
 * {@code u64 program} (KSA program VA), {@code u64 uniforms} (VA of 64-bit uniforms),
 * {@code u32 uniform_count}, {@code u32 grid_x, grid_y, grid_z} (workgroups),
 * {@code u32 group_x, group_y, group_z} (threads per workgroup), {@code u32} 0. Launches run in
 * order, each after the previous one finished; the first that does not complete ends the job.
 *
 * <h2>Vertex draw ({@value #VERTEX_DRAW_BYTES} bytes)</h2>
 * {@code u64 vertices} (VA, {@link RenderFormats} vertices), {@code u64 indices} (VA of 32-bit
 * indices, or 0), {@code u32 triangle_count}, {@code u32} 0, {@code u64 vertex_program} (VA or
 * 0), {@code u64 uniforms}, {@code u32 uniform_count}, {@code u32} 0. Draws are binned in order
 * into one tile map; a partial render may split a draw.
 */
public final class ControlStreams {
    /** Bytes per compute launch record. */
    public static final int COMPUTE_LAUNCH_BYTES = 48;
    /** Offsets within a compute launch record. */
    public static final int LAUNCH_PROGRAM = 0, LAUNCH_UNIFORMS = 8, LAUNCH_UNIFORM_COUNT = 16, LAUNCH_GRID = 20,
            LAUNCH_GROUP = 32;
    /** Bytes per vertex draw record. */
    public static final int VERTEX_DRAW_BYTES = 48;
    /** Offsets within a vertex draw record. */
    public static final int DRAW_VERTICES = 0, DRAW_INDICES = 8, DRAW_TRIANGLES = 16, DRAW_PROGRAM = 24,
            DRAW_UNIFORMS = 32, DRAW_UNIFORM_COUNT = 40;

    private ControlStreams() {
    }
}
