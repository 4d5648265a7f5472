package kiln.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import kiln.drm.api.DrmException;
import kiln.drm.api.mm.InsertMode;
import kiln.drm.api.mm.RangeAllocator;
import kiln.drm.api.mm.RangeNode;
import kiln.drm.impl.mm.RangeAllocatorService;

/**
 * drm_mm. {@link Steady} measures insert+remove with 10 k live nodes against the same operation
 * on a {@code TreeMap<Long, Long>} with 10 k keys (one red-black tree put+remove, the floor any
 * tree-based allocator pays once per index). {@link Fragmented} is the kernel's
 * {@code drm_test_mm_frag}: n nodes of 4 KiB and n holes of 4 KiB between them, then n inserts of
 * 8 KiB, none of which fit a hole but the last; timed per insert for n = 10 k and 20 k.
 * {@link Listing} lists the holes of an allocator with one hole behind n packed nodes: its cost
 * must follow the holes, not the nodes (64 k nodes against 64).
 */
public class MmBenchmark {
    private static final RangeAllocatorService FACTORY = new RangeAllocatorService();

    @State(Scope.Thread)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Fork(1)
    public static class Steady {
        private static final int LIVE = 10_000;
        private RangeAllocator<Object> mm;
        private TreeMap<Long, Long> tree;
        private long next;

        @Setup(Level.Trial)
        public void fill() throws DrmException {
            mm = FACTORY.create("bench", 0, 1L << 40);
            tree = new TreeMap<>();
            for (int i = 0; i < LIVE; i++) {
                // every other 64 KiB slot: 10 k nodes and 10 k holes of mixed sizes
                mm.reserve(null, (long) i << 17, 0x1000 + (i % 13) * 0x1000, 0);
                tree.put((long) i << 17, 0x1000L);
            }
        }

        @Benchmark
        public RangeNode<Object> insertRemove() throws DrmException {
            RangeNode<Object> node = mm.insert(null, 0x4000 + (next++ & 7) * 0x1000, 0x1000, 0, InsertMode.BEST);
            mm.remove(node);
            return node;
        }

        @Benchmark
        public Long baselineTreeMapPutRemove() {
            long key = ((next++ % LIVE) << 17) + 0x10000;
            tree.put(key, key);
            return tree.remove(key);
        }

        @Benchmark
        public boolean oversizedReject() {
            try {
                mm.insert(null, 1L << 41);
                return false;
            } catch (DrmException expected) {
                return true;
            }
        }
    }

    @State(Scope.Thread)
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 20, batchSize = 1)
    @Measurement(iterations = 40, batchSize = 1)
    @Fork(1)
    public static class Fragmented {
        @Param({"10000", "20000"})
        public int n;

        @Param({"LOW", "HIGH"})
        public InsertMode mode;

        private RangeAllocator<Object> mm;
        private final List<RangeNode<Object>> nodes = new ArrayList<>();

        @Setup(Level.Invocation)
        public void fragment() throws DrmException {
            mm = FACTORY.create("frag", 0, 1L << 40);
            nodes.clear();
            for (int i = 0; i < 2 * n; i++) {
                nodes.add(mm.insert(null, 4096, 0, 0, mode));
            }
            for (int i = 0; i < 2 * n; i += 2) {
                mm.remove(nodes.get(i));
            }
        }

        /** The time for all n inserts, as the kernel test logs it; the report divides by n. */
        @Benchmark
        public RangeAllocator<Object> insert8KiB() throws DrmException {
            for (int i = 0; i < n; i++) {
                mm.insert(null, 8192, 0, 0, mode);
            }
            return mm;
        }
    }

    @State(Scope.Thread)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Fork(1)
    public static class Listing {
        @Param({"64", "65536"})
        public int n;

        private RangeAllocator<Object> mm;

        @Setup(Level.Trial)
        public void fill() throws DrmException {
            mm = FACTORY.create("listing", 0, 1L << 40);
            for (int i = 0; i < n; i++) {
                mm.insert(null, 4096, 0, 0, InsertMode.LOW); // packed from 0: one hole above them
            }
        }

        @Benchmark
        public List<kiln.drm.api.mm.Span> holes() {
            return mm.holes();
        }
    }
}
