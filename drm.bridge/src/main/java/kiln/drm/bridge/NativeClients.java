package kiln.drm.bridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import kiln.drm.api.client.AddressSpace;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.ClientFactory;
import kiln.drm.api.client.NativeProcess;
import kiln.drm.api.client.SharedMapping;

/**
 * The Kiln client of each host process connected to the bridge, counted by its connections: it
 * exits when the last one ends (the process exited, or closed everything). A pid the host reuses
 * later while an old connection lives on shares that client (not told apart; the window is the
 * lifetime of a child holding its dead parent's files).
 */
final class NativeClients {
    private record Entry(Client client, int[] refs, Map<Long, SharedMapping> mappings, java.util.List<NativeEventFd> eventFds) {
    }

    private long nextMapping = 1;

    private final ClientFactory factory;
    private final AddressSpace memory = new CallerMemory();
    private final Map<Integer, Entry> byPid = new HashMap<>();

    NativeClients(ClientFactory factory) {
        this.factory = factory;
    }

    synchronized Client acquire(int pid, int uid) {
        Entry e = byPid.get(pid);
        if (e == null) {
            e = new Entry(factory.spawnNative(new NativeProcess(pid, uid, commandLine(pid)), memory), new int[1],
                    new HashMap<>(), new java.util.ArrayList<>());
            byPid.put(pid, e);
        }
        e.refs[0]++;
        return e.client;
    }

    void release(int pid) {
        Entry gone = null;
        synchronized (this) {
            Entry e = byPid.get(pid);
            if (e != null && --e.refs[0] == 0) {
                byPid.remove(pid);
                gone = e;
            }
        }
        if (gone != null) {
            gone.mappings.values().forEach(SharedMapping::close); // the process is gone, and its mappings with it
            gone.eventFds.forEach(NativeEventFd::close); // and nobody reads its eventfds
            gone.client.exit();
        }
    }

    /** An eventfd {@code pid} handed to Kiln: closed when the process goes, if not before. */
    synchronized void eventFd(int pid, NativeEventFd eventFd) {
        Entry e = byPid.get(pid);
        if (e != null) {
            e.eventFds.removeIf(NativeEventFd::isClosed);
            e.eventFds.add(eventFd);
        }
    }

    /** Records a GEM mapping of {@code pid}'s; the id its munmap names. */
    synchronized long mapped(int pid, SharedMapping mapping) {
        Entry e = byPid.get(pid);
        if (e == null) {
            mapping.close();
            return 0;
        }
        long id = nextMapping++;
        e.mappings.put(id, mapping);
        return id;
    }

    /** {@code pid} unmapped mapping {@code id}; an id it does not have (a forked child's copy) changes nothing. */
    void unmapped(int pid, long id) {
        SharedMapping m;
        synchronized (this) {
            Entry e = byPid.get(pid);
            m = e == null ? null : e.mappings.remove(id);
        }
        if (m != null) {
            m.close();
        }
    }

    synchronized int size() {
        return byPid.size();
    }

    private static String commandLine(int pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException e) {
            return "";
        }
    }
}
