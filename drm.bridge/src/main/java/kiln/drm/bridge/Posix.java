package kiln.drm.bridge;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The few Linux calls the bridge needs that Java's own Unix-domain channels lack: SOCK_SEQPACKET
 * (one message per read, so the protocol needs no framing), SO_PEERCRED with the pid, the peer's
 * bound name, and {@code process_vm_readv}/{@code writev}. Linux on x86-64 and arm64 only (the
 * struct layouts below are theirs). Every call returns the result or throws {@link PosixException}
 * with errno.
 */
final class Posix {
    static final int AF_UNIX = 1;
    static final int SOCK_SEQPACKET = 5;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_PEERCRED = 17;
    static final int SHUT_RDWR = 2;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int EINTR = 4;
    static final int EFAULT = 14;
    static final int EPERM = 1;
    static final int ESRCH = 3;
    static final int ENOSYS = 38;

    /** {@code struct sockaddr_un}: family and a 108-byte path. */
    static final int SOCKADDR_UN_SIZE = 110;
    private static final StructLayout UCRED = MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("pid"),
            ValueLayout.JAVA_INT.withName("uid"), ValueLayout.JAVA_INT.withName("gid"));
    private static final StructLayout IOVEC = MemoryLayout.structLayout(ValueLayout.ADDRESS.withName("base"),
            ValueLayout.JAVA_LONG.withName("len"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = find("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle BIND = find("bind", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle LISTEN = find("listen", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle ACCEPT4 = find("accept4", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle RECV = find("recv", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle SEND = find("send", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle RECVMSG = find("recvmsg", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle WRITE = find("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle CLOSE = find("close", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));
    private static final MethodHandle SHUTDOWN = find("shutdown", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle GETSOCKOPT = find("getsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle GETPEERNAME = find("getpeername", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle EPOLL_CREATE1 = find("epoll_create1", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));
    private static final MethodHandle EPOLL_CTL = find("epoll_ctl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle EPOLL_WAIT = find("epoll_wait", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle PROCESS_VM_READV = find("process_vm_readv", FunctionDescriptor.of(
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle PROCESS_VM_WRITEV = find("process_vm_writev", FunctionDescriptor.of(
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));

    private Posix() {
    }

    private static MethodHandle find(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, ERRNO_OPTION);
    }

    /** An errno from a failed call. */
    static final class PosixException extends java.io.IOException {
        private static final long serialVersionUID = 1L;
        final int errno;

        PosixException(String call, int errno) {
            super(call + " failed: errno " + errno);
            this.errno = errno;
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** A bound, listening SOCK_SEQPACKET socket at {@code path} (which must not exist). */
    static int listen(String path, int backlog) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) SOCKET.invokeExact(state, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new PosixException("socket", errno(state));
            }
            MemorySegment address = sockaddr(arena, path);
            if ((int) BIND.invokeExact(state, fd, address, SOCKADDR_UN_SIZE) < 0) {
                int e = errno(state);
                close(fd);
                throw new PosixException("bind " + path, e);
            }
            if ((int) LISTEN.invokeExact(state, fd, backlog) < 0) {
                int e = errno(state);
                close(fd);
                throw new PosixException("listen", e);
            }
            return fd;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static MemorySegment sockaddr(Arena arena, String path) throws PosixException {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= SOCKADDR_UN_SIZE - 2) {
            throw new PosixException("socket path too long (" + bytes.length + " bytes): " + path, 36);
        }
        MemorySegment address = arena.allocate(SOCKADDR_UN_SIZE);
        address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(bytes, 0, address, ValueLayout.JAVA_BYTE, 2, bytes.length);
        return address;
    }

    /** Blocks for the next connection; the new descriptor is close-on-exec. */
    static int accept(int listener) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            for (;;) {
                int fd = (int) ACCEPT4.invokeExact(state, listener, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
                if (fd >= 0) {
                    return fd;
                }
                if (errno(state) != EINTR) {
                    throw new PosixException("accept4", errno(state));
                }
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The peer's credentials when it connected: pid, uid, gid. */
    static int[] peerCredentials(int fd) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment cred = arena.allocate(UCRED);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, (int) UCRED.byteSize());
            if ((int) GETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_PEERCRED, cred, length) < 0) {
                throw new PosixException("getsockopt SO_PEERCRED", errno(state));
            }
            return new int[] {cred.get(ValueLayout.JAVA_INT, 0), cred.get(ValueLayout.JAVA_INT, 4),
                    cred.get(ValueLayout.JAVA_INT, 8)};
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The path the peer bound its socket to ({@code getpeername}), or "" when it bound none. */
    static String peerName(int fd) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment address = arena.allocate(SOCKADDR_UN_SIZE);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, SOCKADDR_UN_SIZE);
            if ((int) GETPEERNAME.invokeExact(state, fd, address, length) < 0) {
                throw new PosixException("getpeername", errno(state));
            }
            int n = length.get(ValueLayout.JAVA_INT, 0) - 2;
            if (n <= 0) {
                return "";
            }
            byte[] bytes = address.asSlice(2, n).toArray(ValueLayout.JAVA_BYTE);
            int end = 0;
            while (end < bytes.length && bytes[end] != 0) {
                end++;
            }
            return new String(bytes, 0, end, StandardCharsets.UTF_8);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Receives one message into {@code buffer}; returns its length, 0 when the peer closed (a
     * message longer than the buffer is cut, as SOCK_SEQPACKET does).
     */
    static int recv(int fd, MemorySegment buffer, MemorySegment state) throws PosixException {
        try {
            for (;;) {
                long n = (long) RECV.invokeExact(state, fd, buffer, buffer.byteSize(), 0);
                if (n >= 0) {
                    return (int) n;
                }
                if (errno(state) != EINTR) {
                    throw new PosixException("recv", errno(state));
                }
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Sends one message of {@code length} bytes (no SIGPIPE: a gone peer is EPIPE). */
    static void send(int fd, MemorySegment message, long length, MemorySegment state) throws PosixException {
        try {
            for (;;) {
                long n = (long) SEND.invokeExact(state, fd, message, length, MSG_NOSIGNAL);
                if (n >= 0) {
                    return;
                }
                if (errno(state) != EINTR) {
                    throw new PosixException("send", errno(state));
                }
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static final int SCM_RIGHTS = 1;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;

    /**
     * Receives one message and, when it carries one ({@code SCM_RIGHTS}), a descriptor, made
     * close-on-exec: {@code received[0]} is it, or -1. Returns the message's length. Linux 64-bit
     * layouts of {@code struct msghdr} and {@code struct cmsghdr}.
     */
    static int recvWithFd(int fd, MemorySegment buffer, MemorySegment state, int[] received, Arena arena)
            throws PosixException {
        MemorySegment iov = arena.allocate(16, 8);
        iov.set(ValueLayout.ADDRESS, 0, buffer);
        iov.set(ValueLayout.JAVA_LONG, 8, buffer.byteSize());
        MemorySegment control = arena.allocate(64, 8);
        MemorySegment msg = arena.allocate(56, 8);
        msg.set(ValueLayout.ADDRESS, 16, iov);
        msg.set(ValueLayout.JAVA_LONG, 24, 1);
        msg.set(ValueLayout.ADDRESS, 32, control);
        msg.set(ValueLayout.JAVA_LONG, 40, control.byteSize());
        received[0] = -1;
        try {
            for (;;) {
                long n = (long) RECVMSG.invokeExact(state, fd, msg, MSG_CMSG_CLOEXEC);
                if (n >= 0) {
                    long controlLength = msg.get(ValueLayout.JAVA_LONG, 40);
                    if (controlLength >= 20 && control.get(ValueLayout.JAVA_INT, 8) == SOL_SOCKET
                            && control.get(ValueLayout.JAVA_INT, 12) == SCM_RIGHTS) {
                        long fds = (control.get(ValueLayout.JAVA_LONG, 0) - 16) / 4;
                        received[0] = control.get(ValueLayout.JAVA_INT, 16);
                        for (int i = 1; i < fds; i++) {
                            close(control.get(ValueLayout.JAVA_INT, 16 + 4L * i)); // one was asked for
                        }
                    }
                    return (int) n;
                }
                if (errno(state) != EINTR) {
                    throw new PosixException("recvmsg", errno(state));
                }
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code write(2)} of {@code length} bytes; false when it failed. */
    static boolean write(int fd, MemorySegment bytes, long length) {
        try (Arena arena = Arena.ofConfined()) {
            return (long) WRITE.invokeExact(arena.allocate(CALL_STATE), fd, bytes, length) == length;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The call-state segment {@link #recv}, {@link #send} and {@link #vm} need, once per thread. */
    static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    /**
     * {@code process_vm_readv} ({@code write == false}) or {@code process_vm_writev}: copies between
     * {@code local} and {@code length} bytes at {@code remote} in process {@code pid}. Returns the
     * bytes copied (fewer when a page is not mapped) or throws with the errno (EFAULT, EPERM, ESRCH).
     */
    static long vm(boolean write, int pid, MemorySegment local, long remote, long length, Arena arena,
            MemorySegment state) throws PosixException {
        MemorySegment iovs = arena.allocate(IOVEC, 2);
        iovs.set(ValueLayout.ADDRESS, 0, local);
        iovs.set(ValueLayout.JAVA_LONG, 8, length);
        iovs.set(ValueLayout.ADDRESS, 16, MemorySegment.ofAddress(remote));
        iovs.set(ValueLayout.JAVA_LONG, 24, length);
        try {
            long n = write
                    ? (long) PROCESS_VM_WRITEV.invokeExact(state, pid, iovs, 1L, iovs.asSlice(16), 1L, 0L)
                    : (long) PROCESS_VM_READV.invokeExact(state, pid, iovs, 1L, iovs.asSlice(16), 1L, 0L);
            if (n < 0) {
                throw new PosixException(write ? "process_vm_writev" : "process_vm_readv", errno(state));
            }
            return n;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLLHUP = 0x10;
    static final int EPOLLRDHUP = 0x2000;
    static final int EPOLLONESHOT = 1 << 30;
    /** {@code struct epoll_event} is packed on x86-64 (12 bytes), naturally aligned elsewhere (16). */
    static final int EPOLL_EVENT_SIZE = "amd64".equals(System.getProperty("os.arch")) ? 12 : 16;
    private static final int EPOLL_DATA_OFFSET = EPOLL_EVENT_SIZE == 12 ? 4 : 8;

    static int epollCreate() throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) EPOLL_CREATE1.invokeExact(state, SOCK_CLOEXEC);
            if (fd < 0) {
                throw new PosixException("epoll_create1", errno(state));
            }
            return fd;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code epoll_ctl}; the event's data is {@code fd}. */
    static void epollControl(int epoll, int op, int fd, int events) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment event = arena.allocate(16, 8);
            event.set(ValueLayout.JAVA_INT_UNALIGNED, 0, events);
            event.set(ValueLayout.JAVA_LONG_UNALIGNED, EPOLL_DATA_OFFSET, fd);
            if ((int) EPOLL_CTL.invokeExact(state, epoll, op, fd, event) < 0) {
                throw new PosixException("epoll_ctl", errno(state));
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Waits up to {@code timeoutMillis} for events; returns how many, their fds in {@code fds}. */
    static int epollWait(int epoll, MemorySegment events, int[] fds, int timeoutMillis, MemorySegment state)
            throws PosixException {
        try {
            int n = (int) EPOLL_WAIT.invokeExact(state, epoll, events, fds.length, timeoutMillis);
            if (n < 0) {
                if (errno(state) == EINTR) {
                    return 0;
                }
                throw new PosixException("epoll_wait", errno(state));
            }
            for (int i = 0; i < n; i++) {
                fds[i] = (int) events.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET);
            }
            return n;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Wakes a thread blocked on {@code fd} (its recv returns 0) without freeing the number yet. */
    static void shutdown(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) SHUTDOWN.invokeExact(arena.allocate(CALL_STATE), fd, SHUT_RDWR);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(CALL_STATE), fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
