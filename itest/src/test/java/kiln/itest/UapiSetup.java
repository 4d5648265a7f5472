package kiln.itest;

import static kiln.agx.api.uapi.AsahiUapi.*;

import java.lang.foreign.MemorySegment;

import kiln.agx.api.silicon.ControlStreams;
import kiln.agx.client.drm.AsahiDevice;
import kiln.agx.client.ksa.Assembler;
import kiln.drm.api.DrmException;
import kiln.drm.api.client.Client;

/** A client's device, a VM and a queue, and helpers to bind buffers, programs and encoders into the VM. */
final class UapiSetup {
    static final long PAGE = 16384;
    final Client client;
    final AsahiDevice dev;
    final int vm;
    final int queue;
    private long next = VM_USER_START;

    UapiSetup(Client client, String node, int caps) throws Exception {
        this.client = client;
        dev = AsahiDevice.open(client, node);
        vm = dev.vmCreate();
        queue = dev.queueCreate(vm, caps, 1);
    }

    /** An object bound at the next user address: {GPU VA, CPU address, handle}. */
    long[] buffer(long size) throws DrmException {
        long rounded = (size + PAGE - 1) / PAGE * PAGE;
        int h = dev.gemCreate(rounded, 0, 0);
        long va = next;
        dev.bind(h, vm, rounded, va);
        next += rounded + PAGE;
        return new long[] {va, dev.mmap(h, rounded), h};
    }

    /** A KSA program bound read-only in the shader window; its VA. */
    long program(String source) throws Exception {
        MemorySegment code = Assembler.toBytes(Assembler.assemble(source));
        long size = (code.byteSize() + PAGE - 1) / PAGE * PAGE;
        int h = dev.gemCreate(size, 0, 0);
        long cpu = dev.mmap(h, size);
        client.memory().copyOut(code, 0, cpu, code.byteSize());
        long va = VM_SHADER_START + (next - VM_USER_START);
        dev.gemBind(BIND_OP_BIND, BIND_READ, h, vm, 0, size, va);
        next += size + PAGE;
        return va;
    }

    /** One launch of {@code program} over {@code threads} threads (groups of 32) with {@code uniforms}: {encoder, end}. */
    long[] encoder(long program, int threads, long... uniforms) throws DrmException {
        long[] u = buffer(8L * Math.max(1, uniforms.length));
        for (int i = 0; i < uniforms.length; i++) {
            client.memory().writeLong(u[1] + 8L * i, uniforms[i]);
        }
        long[] e = buffer(ControlStreams.COMPUTE_LAUNCH_BYTES);
        client.memory().writeLong(e[1] + ControlStreams.LAUNCH_PROGRAM, program);
        client.memory().writeLong(e[1] + ControlStreams.LAUNCH_UNIFORMS, u[0]);
        client.memory().writeInt(e[1] + ControlStreams.LAUNCH_UNIFORM_COUNT, uniforms.length);
        client.memory().writeInt(e[1] + ControlStreams.LAUNCH_GRID, Math.max(1, threads / 32));
        client.memory().writeInt(e[1] + ControlStreams.LAUNCH_GRID + 4, 1);
        client.memory().writeInt(e[1] + ControlStreams.LAUNCH_GRID + 8, 1);
        client.memory().writeInt(e[1] + ControlStreams.LAUNCH_GROUP, Math.min(32, threads));
        client.memory().writeInt(e[1] + ControlStreams.LAUNCH_GROUP + 4, 1);
        client.memory().writeInt(e[1] + ControlStreams.LAUNCH_GROUP + 8, 1);
        return new long[] {e[0], e[0] + ControlStreams.COMPUTE_LAUNCH_BYTES};
    }
}
