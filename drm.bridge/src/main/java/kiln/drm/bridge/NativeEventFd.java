package kiln.drm.bridge;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import kiln.drm.api.file.EventCounter;

/**
 * A native process's eventfd, received with {@code SCM_RIGHTS} for {@code SYNCOBJ_EVENTFD}: each
 * signal writes one to it. The runtime's copy of the descriptor stays open while the call that
 * brought it or a registration holds it, and closes with the last (or when its process goes).
 */
final class NativeEventFd implements EventCounter {
    private final int fd;
    private int holders = 1; // the call that brought it
    private boolean closed;

    NativeEventFd(int fd) {
        this.fd = fd;
    }

    @Override
    public synchronized Registration register() {
        if (!closed) {
            holders++;
        }
        return new Registration() {
            private boolean done;

            @Override
            public void signal() {
                synchronized (NativeEventFd.this) {
                    if (done || closed) {
                        return;
                    }
                    done = true;
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
                        one.set(ValueLayout.JAVA_LONG, 0, 1);
                        Posix.write(fd, one, 8);
                    }
                    letGo();
                }
            }

            @Override
            public void cancel() {
                synchronized (NativeEventFd.this) {
                    if (!done) {
                        done = true;
                        letGo();
                    }
                }
            }
        };
    }

    /** The call that brought it is over. */
    synchronized void callDone() {
        letGo();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Its process is gone: nobody reads it any more. */
    synchronized void close() {
        if (!closed) {
            closed = true;
            Posix.close(fd);
        }
    }

    private void letGo() {
        if (--holders == 0) {
            close();
        }
    }
}
