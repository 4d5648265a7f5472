package kiln.benchmarks;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import kiln.agx.api.silicon.Attachment;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.api.silicon.FragmentJob;
import kiln.agx.api.silicon.RenderFormats;
import kiln.agx.api.silicon.TilerJob;
import kiln.drm.api.memory.PhysicalPages;

/**
 * The fragment pipe on flat colour + depth: a 1920x1080 target covered by a full-screen quad
 * (two triangles), tiled once; each invocation clears colour and depth, rasterises every pixel
 * with the depth test and stores both attachments. The baseline fills the same two buffers
 * (8 bytes per pixel) with {@code MemorySegment.fill}. Pixels per second = 1920 * 1080 / score.
 * {@code flatColorDepthTiled} renders into the GPU's tiled layout (0.7% more bytes: the bottom
 * row of tiles is partial).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RasterBenchmark {
    static final int WIDTH = 1920;
    static final int HEIGHT = 1080;
    private static final long VERTICES = 0x20_0000_0000L;
    private static final long TILE_MAP = 0x21_0000_0000L;
    private static final long HEAP = 0x22_0000_0000L;
    private static final long COLOR = 0x23_0000_0000L;
    private static final long DEPTH = 0x24_0000_0000L;
    private static final long HEAP_BYTES = 4 << 20;
    private static final long COLOR_TILED = 0x26_0000_0000L;
    private static final long DEPTH_TILED = 0x27_0000_0000L;

    private SiliconFixture gpu;
    private PhysicalPages[] owned;
    private FragmentJob job;
    private FragmentJob tiledJob;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        gpu = new SiliconFixture();
        long pixels = (long) WIDTH * HEIGHT * 4;
        owned = new PhysicalPages[] {gpu.map(VERTICES, 16384), gpu.map(TILE_MAP,
                RenderFormats.tileMapBytes(WIDTH, HEIGHT)), gpu.map(HEAP, HEAP_BYTES), gpu.map(COLOR, pixels),
            gpu.map(DEPTH, pixels), gpu.map(COLOR_TILED, Attachment.tiledBytes(WIDTH, HEIGHT)),
            gpu.map(DEPTH_TILED, Attachment.tiledBytes(WIDTH, HEIGHT))};
        float[][] quad = {{-1, -1}, {1, -1}, {1, 1}, {-1, -1}, {1, 1}, {-1, 1}};
        for (int v = 0; v < quad.length; v++) {
            float[] vertex = {quad[v][0], quad[v][1], 0f, 1f, 0.2f, 0.4f, 0.8f, 1f};
            for (int k = 0; k < vertex.length; k++) {
                owned[0].memory().setAtIndex(ValueLayout.JAVA_FLOAT, 8L * v + k, vertex[k]);
            }
        }
        var tiled = gpu.silicon.tiler().bin(new TilerJob(1, VERTICES, 0, 0, 2, WIDTH, HEIGHT, TILE_MAP, HEAP, HEAP_BYTES,
                true)).join();
        if (tiled.result().status() != DispatchResult.Status.COMPLETED || tiled.heapOverflow()) {
            throw new IllegalStateException(tiled.toString());
        }
        job = new FragmentJob(1, WIDTH, HEIGHT, TILE_MAP, HEAP, Attachment.cleared(COLOR, 4 * WIDTH, 0xff000000),
                Attachment.cleared(DEPTH, 4 * WIDTH, Float.floatToRawIntBits(1f)));
        tiledJob = new FragmentJob(1, WIDTH, HEIGHT, TILE_MAP, HEAP,
                Attachment.cleared(COLOR_TILED, 0, 0xff000000).withLayout(Attachment.Layout.TILED),
                Attachment.cleared(DEPTH_TILED, 0, Float.floatToRawIntBits(1f)).withLayout(Attachment.Layout.TILED));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        gpu.close();
    }

    @Benchmark
    public DispatchResult flatColorDepth() {
        return render(job);
    }

    /** The same into the GPU's tiled layout: one 4 KiB run per tile and attachment instead of 32 rows. */
    @Benchmark
    public DispatchResult flatColorDepthTiled() {
        return render(tiledJob);
    }

    private DispatchResult render(FragmentJob fragmentJob) {
        return SiliconFixture.completed(gpu.silicon.fragment().render(fragmentJob));
    }

    @Benchmark
    public MemorySegment baselineFill() {
        MemorySegment color = owned[3].memory();
        MemorySegment depth = owned[4].memory();
        long bytes = (long) WIDTH * HEIGHT * 4;
        color.asSlice(0, bytes).fill((byte) 0x5a);
        depth.asSlice(0, bytes).fill((byte) 0x3f);
        return depth;
    }
}
