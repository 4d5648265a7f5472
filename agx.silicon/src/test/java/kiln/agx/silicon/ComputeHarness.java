package kiln.agx.silicon;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import kiln.agx.api.hw.HwConfig;
import kiln.agx.api.hw.UatFormat;
import kiln.agx.api.hw.UatProt;
import kiln.agx.api.silicon.ComputeDispatch;
import kiln.agx.api.silicon.DispatchResult;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.agx.client.ksa.AssemblyException;
import kiln.agx.client.ksa.Assembler;
import kiln.drm.api.DrmException;
import kiln.drm.api.memory.PhysicalPages;

/** A user VM in context 1 on a test machine, with buffers, programs and grids, as a driver would set them up. */
public final class ComputeHarness implements AutoCloseable {
    public static final int SLOT = 1;
    public final TestMachine machine;
    public final long root;
    private long nextData = 0x20_0000_0000L;
    private long nextShader = 0x11_0000_0000L;

    /** A mapped buffer. */
    public record Buffer(long va, PhysicalPages pages) {
        public MemorySegment memory() {
            return pages.memory();
        }

        public int getInt(long index) {
            return pages.memory().getAtIndex(ValueLayout.JAVA_INT, index);
        }

        public void setInt(long index, int value) {
            pages.memory().setAtIndex(ValueLayout.JAVA_INT, index, value);
        }

        public float getFloat(long index) {
            return pages.memory().getAtIndex(ValueLayout.JAVA_FLOAT, index);
        }

        public void setFloat(long index, float value) {
            pages.memory().setAtIndex(ValueLayout.JAVA_FLOAT, index, value);
        }
    }

    public ComputeHarness(HwConfig hw, SiliconOptions options) throws DrmException {
        machine = new TestMachine(hw, options);
        root = machine.newTable();
        machine.bind(SLOT, root, 0);
    }

    public ComputeHarness() throws DrmException {
        this(TestMachine.SMALL, SiliconOptions.defaults().withHostWorkers(2));
    }

    /** A zeroed buffer of at least {@code bytes}, mapped read/write for the GPU, with an unmapped page after it. */
    public Buffer buffer(long bytes) throws DrmException {
        return buffer(bytes, UatProt.GPU_SHARED_RW);
    }

    public Buffer buffer(long bytes, UatProt prot) throws DrmException {
        long size = Math.max(UatFormat.PAGE_BYTES, (bytes + UatFormat.PAGE_BYTES - 1) & -UatFormat.PAGE_BYTES);
        PhysicalPages pages = machine.allocate(size);
        long va = nextData;
        machine.map(root, va, pages, prot);
        nextData += size + UatFormat.PAGE_BYTES;
        return new Buffer(va, pages);
    }

    /** Assembles {@code source} into the shader window; its GPU VA. */
    public long program(String source) throws DrmException {
        try {
            return program(Assembler.assemble(source));
        } catch (AssemblyException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Places raw words in the shader window; their GPU VA. */
    public long program(long[] words) throws DrmException {
        MemorySegment bytes = Assembler.toBytes(words);
        long size = Math.max(UatFormat.PAGE_BYTES, (bytes.byteSize() + UatFormat.PAGE_BYTES - 1) & -UatFormat.PAGE_BYTES);
        PhysicalPages pages = machine.allocate(size);
        MemorySegment.copy(bytes, 0, pages.memory(), 0, bytes.byteSize());
        long va = nextShader;
        machine.map(root, va, pages, UatProt.GPU_SHARED_RO);
        nextShader += size + UatFormat.PAGE_BYTES;
        return va;
    }

    /** Runs a 1-D grid of {@code threads} threads in workgroups of {@code group}. */
    public DispatchResult run1d(long program, int threads, int group, long... uniforms) throws Exception {
        return run(program, uniforms, (threads + group - 1) / group, 1, 1, group, 1, 1);
    }

    public DispatchResult run(long program, long[] uniforms, int gx, int gy, int gz, int wx, int wy, int wz) throws Exception {
        return start(program, uniforms, gx, gy, gz, wx, wy, wz).get(60, TimeUnit.SECONDS);
    }

    public java.util.concurrent.CompletableFuture<DispatchResult> start(long program, long[] uniforms, int gx, int gy,
            int gz, int wx, int wy, int wz) throws DrmException {
        long uniformVa = 0;
        if (uniforms.length > 0) {
            Buffer u = buffer(uniforms.length * 8L, UatProt.GPU_SHARED_RO);
            for (int i = 0; i < uniforms.length; i++) {
                u.memory().setAtIndex(ValueLayout.JAVA_LONG, i, uniforms[i]);
            }
            uniformVa = u.va();
        }
        return machine.silicon.compute().dispatch(
                new ComputeDispatch(SLOT, program, uniformVa, uniforms.length, gx, gy, gz, wx, wy, wz));
    }

    @Override
    public void close() {
        machine.close();
    }
}
