package kiln.agx.driver.internal.uapi;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import kiln.agx.driver.internal.gpu.Vm;
import kiln.agx.driver.internal.gpu.WorkQueue;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;

/**
 * A client's open asahi file ({@code file.rs} {@code File}): its VMs and queues, by ids from 1
 * that only this file sees. Closing the file destroys the queues, then the VMs. Thread-safe.
 */
public final class AsahiFile {
    private static final AtomicLong IDS = new AtomicLong();
    private final long id = IDS.incrementAndGet();
    private final IdTable<Vm> vms = new IdTable<>("VM");
    private final IdTable<AsahiQueue> queues = new IdTable<>("queue");
    private boolean closed;

    /** A device-unique id, recorded with the mappings this file makes. */
    public long id() {
        return id;
    }

    synchronized int addVm(IdTable.Factory<Vm> factory) throws DrmException {
        refuseIfClosed();
        return vms.add(factory);
    }

    /** The VM {@code vmId}; ENOENT if this file has none by that id. */
    public synchronized Vm vm(int vmId) throws DrmException {
        return vms.get(vmId);
    }

    synchronized Vm removeVm(int vmId) throws DrmException {
        return vms.remove(vmId);
    }

    synchronized int addQueue(IdTable.Factory<AsahiQueue> factory) throws DrmException {
        refuseIfClosed();
        return queues.add(factory);
    }

    /** The queue {@code id}; ENOENT if this file has none by that id. */
    synchronized AsahiQueue queue(int id) throws DrmException {
        return queues.get(id);
    }

    synchronized AsahiQueue removeQueue(int id) throws DrmException {
        return queues.remove(id);
    }

    private void refuseIfClosed() throws DrmException {
        if (closed) {
            throw DrmException.quiet(Errno.ENODEV, "file closed");
        }
    }

    /** A queue as {@code agx:queues} shows it. */
    public record QueueView(int id, int vm, int caps, int priority, int vmSlot, String workQueues, long tvbBytes) {
    }

    /** Every queue now. */
    public synchronized List<QueueView> queueViews() {
        List<QueueView> out = new ArrayList<>();
        for (AsahiQueue q : queues.values()) {
            StringBuilder wq = new StringBuilder();
            for (var w : new WorkQueue[] {q.vertex, q.fragment, q.compute}) {
                if (w != null) {
                    wq.append(wq.length() == 0 ? "" : " ").append(w.pipe().name().toLowerCase()).append("(slot ")
                            .append(w.slot()).append(", ").append(w.inFlight()).append(" in flight)");
                }
            }
            out.add(new QueueView(q.id, q.vm.id(), q.caps, q.priority, q.vmSlot, wq.toString(),
                    q.tvb == null ? 0 : q.tvb.sizeBytes()));
        }
        return out;
    }

    /** Every VM now. */
    public synchronized List<Vm> vms() {
        return List.copyOf(vms.values());
    }

    /**
     * Destroys every queue, then every VM (the kernel's order); later creation answers ENODEV.
     * The queues of a process that exits drop their queued jobs at once; a live process closing the
     * file lets them reach the firmware first, within the scheduler's flush bound.
     */
    synchronized void close(boolean processExiting) {
        closed = true;
        queues.values().forEach(q -> q.close(processExiting));
        queues.clear();
        vms.values().forEach(Vm::close);
        vms.clear();
    }
}
