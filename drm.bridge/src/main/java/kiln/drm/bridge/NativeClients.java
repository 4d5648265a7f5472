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

/**
 * The Kiln client of each host process connected to the bridge, counted by its connections: it
 * exits when the last one ends (the process exited, or closed everything). A pid the host reuses
 * later while an old connection lives on shares that client (not told apart; the window is the
 * lifetime of a child holding its dead parent's files).
 */
final class NativeClients {
    private record Entry(Client client, int[] refs) {
    }

    private final ClientFactory factory;
    private final AddressSpace memory = new CallerMemory();
    private final Map<Integer, Entry> byPid = new HashMap<>();

    NativeClients(ClientFactory factory) {
        this.factory = factory;
    }

    synchronized Client acquire(int pid, int uid) {
        Entry e = byPid.get(pid);
        if (e == null) {
            e = new Entry(factory.spawnNative(new NativeProcess(pid, uid, commandLine(pid)), memory), new int[1]);
            byPid.put(pid, e);
        }
        e.refs[0]++;
        return e.client;
    }

    void release(int pid) {
        Client gone = null;
        synchronized (this) {
            Entry e = byPid.get(pid);
            if (e != null && --e.refs[0] == 0) {
                byPid.remove(pid);
                gone = e.client;
            }
        }
        if (gone != null) {
            gone.exit();
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
