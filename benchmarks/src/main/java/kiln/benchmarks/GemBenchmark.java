package kiln.benchmarks;

import java.util.concurrent.ConcurrentHashMap;
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
import org.openjdk.jmh.annotations.Warmup;

import kiln.drm.api.DrmException;
import kiln.drm.api.file.DrmFile;
import kiln.drm.api.gem.GemObject;
import kiln.drm.api.gem.ShmemObject;
import kiln.drm.impl.device.DeviceFile;

/**
 * GEM. {@code createHandleClose}: a 16 KiB shmem object made, given a handle, and released by
 * closing the handle (no pages touched: shmem pages come on first use, as in the kernel).
 * {@code createPagesClose} also allocates and zeroes its page. {@code handleLookup}: handle to
 * object with a reference taken and dropped, beside a {@code ConcurrentHashMap.get} of 4 k entries.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GemBenchmark {
    private KilnFixture kiln;
    private DrmFile file;
    private int[] handles;
    private final ConcurrentHashMap<Integer, Object> map = new ConcurrentHashMap<>();
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws DrmException {
        kiln = new KilnFixture();
        var client = kiln.client();
        file = client.lookup(client.open("renderD128"), DeviceFile.class);
        handles = new int[4096];
        for (int i = 0; i < handles.length; i++) {
            ShmemObject bo = kiln.gem.createShmem(kiln.device, ShmemObject.PAGE_SIZE, null, null);
            handles[i] = kiln.gem.createHandle(file, bo);
            bo.put();
            map.put(handles[i], bo);
        }
    }

    @Benchmark
    public int createHandleClose() throws DrmException {
        ShmemObject bo = kiln.gem.createShmem(kiln.device, ShmemObject.PAGE_SIZE, null, null);
        int handle = kiln.gem.createHandle(file, bo);
        bo.put();
        kiln.gem.closeHandle(file, handle);
        return handle;
    }

    @Benchmark
    public int createPagesClose() throws DrmException {
        ShmemObject bo = kiln.gem.createShmem(kiln.device, ShmemObject.PAGE_SIZE, null, null);
        int handle = kiln.gem.createHandle(file, bo);
        bo.sgTable();
        bo.put();
        kiln.gem.closeHandle(file, handle);
        return handle;
    }

    @Benchmark
    public GemObject handleLookup() throws DrmException {
        GemObject bo = kiln.gem.lookup(file, handles[next++ & 4095]);
        bo.put();
        return bo;
    }

    @Benchmark
    public Object baselineMapGet() {
        return map.get(handles[next++ & 4095]);
    }
}
