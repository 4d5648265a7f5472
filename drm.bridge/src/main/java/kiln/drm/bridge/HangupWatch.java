package kiln.drm.bridge;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notices a control connection's caller going away while its ioctl still runs (killed in the
 * middle of a wait): the session's thread is interrupted, so the wait ends (ERESTARTSYS, which
 * nobody reads) and the session lets go of what it held. Without it a SIGKILLed waiter would keep
 * its Kiln client, and the file its call used, for as long as the wait lasts: forever for some.
 */
final class HangupWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HangupWatch.class.getName());
    private final int epoll;
    private final Map<Integer, Thread> watched = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    HangupWatch() throws Posix.PosixException {
        this.epoll = Posix.epollCreate();
        this.thread = Thread.ofPlatform().name("kiln-bridge-hangups").daemon(true).start(this::loop);
    }

    /** Interrupts {@code session} when the peer of {@code fd} hangs up; until {@link #forget}. */
    void watch(int fd, Thread session) throws Posix.PosixException {
        watched.put(fd, session);
        Posix.epollControl(epoll, Posix.EPOLL_CTL_ADD, fd, Posix.EPOLLRDHUP | Posix.EPOLLHUP | Posix.EPOLLONESHOT);
    }

    /** Before {@code fd} is closed. */
    void forget(int fd) {
        if (watched.remove(fd) != null) {
            try {
                Posix.epollControl(epoll, Posix.EPOLL_CTL_DEL, fd, 0);
            } catch (Posix.PosixException e) {
                // not registered any more: nothing to undo
            }
        }
    }

    private void loop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment events = arena.allocate((long) Posix.EPOLL_EVENT_SIZE * 64, 8);
            MemorySegment state = Posix.callState(arena);
            int[] fds = new int[64];
            while (!closed) {
                int n = Posix.epollWait(epoll, events, fds, 500, state);
                for (int i = 0; i < n; i++) {
                    Thread session = watched.get(fds[i]);
                    if (session != null) {
                        session.interrupt();
                    }
                }
            }
        } catch (Posix.PosixException e) {
            if (!closed) {
                LOG.log(System.Logger.Level.ERROR, "native bridge: hang-up watch failed; a killed waiter holds its files until its wait ends", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Posix.close(epoll);
    }
}
