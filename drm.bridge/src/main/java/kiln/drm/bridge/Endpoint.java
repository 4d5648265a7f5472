package kiln.drm.bridge;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import kiln.drm.api.client.OpenFile;

/**
 * A file Kiln handed a native process, held by the descriptor the process got (one end of a
 * socket). The descriptor's last close anywhere ends the connection, and that lets the file go:
 * {@code drm_release} when it was the last holder. Nothing is expected on it; what comes is dropped.
 */
final class Endpoint implements Runnable {
    private final BridgeServer server;
    final int fd;
    final String name;
    final String node;
    private final OpenFile file;
    final int openerPid;

    Endpoint(BridgeServer server, int fd, String name, String node, OpenFile file, int openerPid) {
        this.server = server;
        this.fd = fd;
        this.name = name;
        this.node = node;
        this.file = file;
        this.openerPid = openerPid;
    }

    Object file() {
        return file.file();
    }

    @Override
    public void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(256);
            MemorySegment state = Posix.callState(arena);
            while (Posix.recv(fd, buffer, state) > 0) {
                // an endpoint carries no requests
            }
        } catch (Posix.PosixException e) {
            // the connection failed: the same as its last close
        } finally {
            server.endpointEnded(this);
            file.close();
        }
    }

    @Override
    public String toString() {
        return "/dev/dri/" + node + " (" + name + ")";
    }
}
