package kiln.drm.bridge;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import kiln.drm.api.client.OpenFile;
import kiln.drm.api.fence.FenceCallback;
import kiln.drm.api.file.FenceFile;

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
    /** Set (under this) before the descriptor is closed: readiness is never written to a reused number. */
    private boolean closed;
    private FenceCallback onSignal;

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

    /**
     * For a sync file: once its fence signals, one byte is written to the program's end, so
     * {@code poll} finds the descriptor readable as it finds a signalled sync_file (POLLIN).
     */
    void signalReadiness() {
        if (file.file() instanceof FenceFile fenceFile) {
            onSignal = f -> readable();
            if (!fenceFile.fence().addCallback(onSignal)) {
                readable();
            }
        }
    }

    private synchronized void readable() {
        if (closed) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(1);
            Posix.send(fd, one, 1, Posix.callState(arena));
        } catch (Posix.PosixException e) {
            // the program's end is gone: nobody polls it
        }
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
            synchronized (this) {
                closed = true;
            }
            if (onSignal != null) {
                ((FenceFile) file.file()).fence().removeCallback(onSignal);
            }
            server.endpointEnded(this);
            file.close();
        }
    }

    @Override
    public String toString() {
        return "/dev/dri/" + node + " (" + name + ")";
    }
}
