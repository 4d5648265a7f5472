package kiln.itest;

import kiln.agx.client.drm.AsahiDevice;
import kiln.agx.client.demo.GpuSession;
import kiln.drm.api.DrmException;
import kiln.drm.api.client.Client;

/**
 * A client's device, a VM and a queue, and helpers to bind buffers, programs and encoders into the
 * VM: the client library's {@link GpuSession}, in the long[] shape the tests index.
 */
final class UapiSetup {
    static final long PAGE = GpuSession.PAGE;
    final Client client;
    final AsahiDevice dev;
    final int vm;
    final int queue;
    private final GpuSession session;

    UapiSetup(Client client, String node, int caps) throws Exception {
        this.client = client;
        session = new GpuSession(client, node, caps);
        dev = session.device();
        vm = session.vm();
        queue = session.queue();
    }

    /** The client library's session behind it. */
    GpuSession session() {
        return session;
    }

    /** An object bound at the next user address: {GPU VA, CPU address, handle}. */
    long[] buffer(long size) throws DrmException {
        GpuSession.Buffer b = session.buffer(size);
        return new long[] {b.va(), b.cpu(), b.handle()};
    }

    /** A KSA program bound read-only in the shader window; its VA. */
    long program(String source) throws Exception {
        return session.program(source);
    }

    /** One launch of {@code program} over {@code threads} threads (groups of 32) with {@code uniforms}: {encoder, end}. */
    long[] encoder(long program, int threads, long... uniforms) throws DrmException {
        AsahiDevice.Compute c = session.launch(program, Math.max(1, threads / 32), Math.min(32, threads), uniforms);
        return new long[] {c.encoder(), c.encoderEnd()};
    }
}
