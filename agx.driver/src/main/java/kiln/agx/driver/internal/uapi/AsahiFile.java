package kiln.agx.driver.internal.uapi;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import kiln.agx.driver.internal.gpu.Vm;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;

/**
 * A client's open asahi file ({@code file.rs} {@code File}): its VMs, by ids from 1 that only
 * this file sees. Closing the file destroys them all. Thread-safe.
 */
public final class AsahiFile {
    private static final AtomicLong IDS = new AtomicLong();
    private final long id = IDS.incrementAndGet();
    private final Map<Integer, Vm> vms = new TreeMap<>();
    private int nextVm = 1;
    private boolean closed;

    /** A device-unique id, recorded with the mappings this file makes. */
    public long id() {
        return id;
    }

    /** Makes a VM for an id. */
    interface VmFactory {
        Vm create(int vmId) throws DrmException;
    }

    synchronized int addVm(VmFactory factory) throws DrmException {
        if (closed) {
            throw DrmException.quiet(Errno.ENODEV, "file closed");
        }
        int vmId = nextVm;
        vms.put(vmId, factory.create(vmId));
        nextVm++;
        return vmId;
    }

    /** The VM {@code vmId}; ENOENT if this file has none by that id. */
    public synchronized Vm vm(int vmId) throws DrmException {
        Vm vm = vms.get(vmId);
        if (vm == null) {
            throw DrmException.quiet(Errno.ENOENT, "no VM " + vmId);
        }
        return vm;
    }

    synchronized Vm removeVm(int vmId) throws DrmException {
        Vm vm = vms.remove(vmId);
        if (vm == null) {
            throw DrmException.quiet(Errno.ENOENT, "no VM " + vmId);
        }
        return vm;
    }

    /** Every VM now. */
    public synchronized java.util.List<Vm> vms() {
        return java.util.List.copyOf(vms.values());
    }

    /** Destroys every VM; later VM creation answers ENODEV. */
    synchronized void close() {
        closed = true;
        vms.values().forEach(Vm::close);
        vms.clear();
    }
}
