package kiln.benchmarks;

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

import kiln.agx.api.silicon.ComputeDispatch;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.client.ksa.Assembler;
import kiln.drm.api.memory.PhysicalPages;

/**
 * Compute kernels on the simulated USC (an M1, t8103, 8 cores, on the host's worker threads)
 * beside the same computation as plain single-threaded Java on heap arrays: SAXPY over 1 Mi
 * floats and a 256 x 256 single-precision matrix multiply (naive, one thread per output, fused
 * multiply-add in both). Scores are per whole kernel; the goal is the GPU/Java ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ComputeBenchmark {
    static final int N = 1 << 20;
    static final int M = 256;
    private static final long X = 0x20_0000_0000L;
    private static final long Y = 0x21_0000_0000L;
    private static final long A = 0x22_0000_0000L;
    private static final long B = 0x23_0000_0000L;
    private static final long C = 0x24_0000_0000L;
    private static final long UNIFORMS = 0x25_0000_0000L;
    private static final long SHADERS = 0x11_0000_0000L;

    static final String SAXPY = """
            sr    r0, gid.x
            umov  r1, u2.lo
            ilt   r2, r0, r1
            if    r2
              ld    r3, u0, r0
              ld    r4, u1, r0
              umov  r5, u3.lo
              fma   r4, r5, r3, r4
              st    r4, u1, r0
            endif
            stop
            """;

    static final String MATMUL = """
            sr    r0, gid.x          ; column j
            sr    r1, gid.y          ; row i
            movi  r2, #0             ; k
            movi  r3, #0             ; sum = 0.0
            shl   r4, r1, #8         ; i * 256
            mov   r5, r0             ; k * 256 + j
            loop
              ige   r6, r2, #256
              break r6
              iadd  r7, r4, r2
              ld    r8, u0, r7       ; A[i][k]
              ld    r9, u1, r5       ; B[k][j]
              fma   r3, r8, r9, r3
              iadd  r2, r2, #1
              iadd  r5, r5, #256
            endloop
            iadd  r10, r4, r0
            st    r3, u2, r10
            stop
            """;

    private SiliconFixture gpu;
    private PhysicalPages[] owned;
    private long saxpy;
    private long matmul;
    private final float[] x = new float[N];
    private final float[] y = new float[N];
    private final float[] a = new float[M * M];
    private final float[] b = new float[M * M];
    private final float[] c = new float[M * M];

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        gpu = new SiliconFixture();
        owned = new PhysicalPages[] {
            gpu.map(X, 4L * N), gpu.map(Y, 4L * N), gpu.map(A, 4L * M * M), gpu.map(B, 4L * M * M),
            gpu.map(C, 4L * M * M), gpu.map(UNIFORMS, 16384), gpu.map(SHADERS, 16384)};
        for (int i = 0; i < N; i++) {
            x[i] = i * 0.5f;
            y[i] = 1f - i;
            owned[0].memory().setAtIndex(ValueLayout.JAVA_FLOAT, i, x[i]);
            owned[1].memory().setAtIndex(ValueLayout.JAVA_FLOAT, i, y[i]);
        }
        for (int i = 0; i < M * M; i++) {
            a[i] = (i % 7) * 0.25f;
            b[i] = (i % 5) - 2f;
            owned[2].memory().setAtIndex(ValueLayout.JAVA_FLOAT, i, a[i]);
            owned[3].memory().setAtIndex(ValueLayout.JAVA_FLOAT, i, b[i]);
        }
        long[] uniforms = {X, Y, N, Float.floatToRawIntBits(1.0001f), A, B, C};
        for (int i = 0; i < uniforms.length; i++) {
            owned[5].memory().setAtIndex(ValueLayout.JAVA_LONG, i, uniforms[i]);
        }
        long[] saxpyWords = Assembler.assemble(SAXPY);
        long[] matmulWords = Assembler.assemble(MATMUL);
        var shaders = owned[6].memory();
        java.lang.foreign.MemorySegment.copy(Assembler.toBytes(saxpyWords), 0, shaders, 0, saxpyWords.length * 8L);
        java.lang.foreign.MemorySegment.copy(Assembler.toBytes(matmulWords), 0, shaders, 4096, matmulWords.length * 8L);
        saxpy = SHADERS;
        matmul = SHADERS + 4096;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        gpu.close();
    }

    private DispatchResult run(ComputeDispatch dispatch) {
        return SiliconFixture.completed(gpu.silicon.compute().dispatch(dispatch));
    }

    @Benchmark
    public DispatchResult saxpyUsc() {
        return run(new ComputeDispatch(1, saxpy, UNIFORMS, 4, N / 256, 1, 1, 256, 1, 1));
    }

    @Benchmark
    public float[] saxpyJava() {
        float alpha = 1.0001f;
        for (int i = 0; i < N; i++) {
            y[i] = Math.fma(alpha, x[i], y[i]);
        }
        return y;
    }

    @Benchmark
    public DispatchResult matmulUsc() {
        return run(new ComputeDispatch(1, matmul, UNIFORMS + 32, 3, M / 16, M / 16, 1, 16, 16, 1));
    }

    @Benchmark
    public float[] matmulJava() {
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < M; j++) {
                float sum = 0;
                for (int k = 0; k < M; k++) {
                    sum = Math.fma(a[i * M + k], b[k * M + j], sum);
                }
                c[i * M + j] = sum;
            }
        }
        return c;
    }
}
