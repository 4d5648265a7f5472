package kiln.agx.client.demo;

import static kiln.agx.api.uapi.AsahiUapi.*;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;

import kiln.agx.api.silicon.ControlStreams;
import kiln.agx.client.drm.AsahiDevice;
import kiln.agx.client.ksa.AssemblyException;
import kiln.agx.client.ksa.Assembler;
import kiln.drm.api.DrmException;
import kiln.drm.api.client.Client;

/**
 * What a Mesa-like client sets up on an asahi device: a VM, a queue, objects bound at the next
 * free addresses, KSA programs in the shader window, compute encoders, and submission with a
 * wait. Not thread-safe.
 */
public final class GpuSession implements AutoCloseable {
    public static final long PAGE = 16384;
    private final Client client;
    private final AsahiDevice dev;
    private final int vm;
    private final int queue;
    private final int done;
    private long next = VM_USER_START;

    /** A buffer bound in the VM: its GPU VA, its address in the client, its handle. */
    public record Buffer(long va, long cpu, int handle, long size) {
    }

    public GpuSession(Client client, String node, int caps) throws DrmException {
        this.client = client;
        this.dev = AsahiDevice.open(client, node);
        this.vm = dev.vmCreate();
        this.queue = dev.queueCreate(vm, caps, 1);
        this.done = dev.syncobjCreate(0);
    }

    public Client client() {
        return client;
    }

    public AsahiDevice device() {
        return dev;
    }

    public int vm() {
        return vm;
    }

    public int queue() {
        return queue;
    }

    /** A zeroed object bound read/write at the next user address. */
    public Buffer buffer(long size) throws DrmException {
        long rounded = (size + PAGE - 1) / PAGE * PAGE;
        int h = dev.gemCreate(rounded, 0, 0);
        long va = next;
        dev.bind(h, vm, rounded, va);
        next += rounded + PAGE;
        return new Buffer(va, dev.mmap(h, rounded), h, rounded);
    }

    /** Assembles {@code source} into an object bound read-only in the shader window; its VA. */
    public long program(String source) throws DrmException {
        MemorySegment code;
        try {
            code = Assembler.toBytes(Assembler.assemble(source));
        } catch (AssemblyException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        long size = (code.byteSize() + PAGE - 1) / PAGE * PAGE;
        int h = dev.gemCreate(size, 0, 0);
        long cpu = dev.mmap(h, size);
        client.memory().copyOut(code, 0, cpu, code.byteSize());
        long va = VM_SHADER_START + (next - VM_USER_START);
        dev.gemBind(BIND_OP_BIND, BIND_READ, h, vm, 0, size, va);
        next += size + PAGE;
        return va;
    }

    /** A compute encoder of one launch: {@code program} on a grid of {@code groups} x {@code groupSize} threads. */
    public AsahiDevice.Compute launch(long program, int groups, int groupSize, long... uniforms) throws DrmException {
        Buffer u = buffer(8L * Math.max(1, uniforms.length));
        for (int i = 0; i < uniforms.length; i++) {
            client.memory().writeLong(u.cpu() + 8L * i, uniforms[i]);
        }
        Buffer e = buffer(ControlStreams.COMPUTE_LAUNCH_BYTES);
        client.memory().writeLong(e.cpu() + ControlStreams.LAUNCH_PROGRAM, program);
        client.memory().writeLong(e.cpu() + ControlStreams.LAUNCH_UNIFORMS, u.va());
        client.memory().writeInt(e.cpu() + ControlStreams.LAUNCH_UNIFORM_COUNT, uniforms.length);
        client.memory().writeInt(e.cpu() + ControlStreams.LAUNCH_GRID, groups);
        client.memory().writeInt(e.cpu() + ControlStreams.LAUNCH_GRID + 4, 1);
        client.memory().writeInt(e.cpu() + ControlStreams.LAUNCH_GRID + 8, 1);
        client.memory().writeInt(e.cpu() + ControlStreams.LAUNCH_GROUP, groupSize);
        client.memory().writeInt(e.cpu() + ControlStreams.LAUNCH_GROUP + 4, 1);
        client.memory().writeInt(e.cpu() + ControlStreams.LAUNCH_GROUP + 8, 1);
        return AsahiDevice.Compute.of(e.va(), e.va() + ControlStreams.COMPUTE_LAUNCH_BYTES);
    }

    /** Submits {@code commands} and waits up to {@code seconds} for them. */
    public void run(List<? extends AsahiDevice.Command> commands, int resultHandle, int seconds) throws DrmException {
        dev.submit(queue, List.of(), List.of(AsahiDevice.Sync.binary(done)), commands, resultHandle);
        dev.syncobjWait(new int[] {done}, System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds), 0);
    }

    /** Closes the device file: the queue, the VM and the objects go with it. */
    @Override
    public void close() throws DrmException {
        dev.close();
    }
}
