package kiln.benchmarks;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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

import kiln.drm.api.DrmException;
import kiln.drm.api.client.Client;

/**
 * ioctl round trips. {@code nativeIoctlDevNull} is the baseline: a DRM-shaped request
 * ({@code DRM_IOWR(0x40, 32 bytes)}, what GET_PARAMS looks like) sent to {@code /dev/null}, which
 * the kernel answers with ENOTTY: a full user/kernel crossing with no driver work, the floor of
 * any real DRM ioctl on this machine. {@code kilnNoopIoctl} sends the same number through Kiln's
 * UAPI path to a driver whose handler does nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IoctlBenchmark {
    /** {@code _IOWR('d', 0x40, 32)}: dir 3 << 30 | size 32 << 16 | type 'd' << 8 | nr 0x40. */
    static final long DRM_IOWR_0x40_32 = (3L << 30) | (32L << 16) | ('d' << 8) | 0x40;

    private Arena arena;
    private MemorySegment argument;
    private NativeIoctl devNull;
    private Client client;
    private int fd;
    private long clientArgument;

    @Setup(Level.Trial)
    public void open() throws DrmException {
        client = new KilnFixture().client();
        fd = client.open("renderD128");
        clientArgument = client.memory().map(32);
        arena = Arena.ofConfined();
        argument = arena.allocate(32);
        devNull = new NativeIoctl("/dev/null");
        if (devNull.ioctl(DRM_IOWR_0x40_32, argument) != -1) {
            throw new IllegalStateException("ioctl on /dev/null was expected to fail with ENOTTY");
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        devNull.close();
        arena.close();
    }

    /** The whole UAPI path: fd table, drm_dev_enter, decode, permit, copy in 32 bytes, handler, copy out. */
    @Benchmark
    public int kilnNoopIoctl() throws DrmException {
        return client.ioctl(fd, KilnFixture.NOOP, clientArgument);
    }

    @Benchmark
    public int nativeIoctlDevNull() {
        return devNull.ioctl(DRM_IOWR_0x40_32, argument);
    }
}
