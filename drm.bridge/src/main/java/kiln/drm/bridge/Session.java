package kiln.drm.bridge;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.OpenFile;
import kiln.drm.api.client.SharedMapping;

/**
 * One thread's control connection: its ioctls, one at a time, run on this session's own thread
 * in the calling process's {@link Client}. A malformed request is answered EINVAL and changes
 * nothing; the connection ending ends the session.
 */
final class Session implements Runnable {
    private static final System.Logger LOG = System.getLogger(Session.class.getName());
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final int IOCTL_HEADER = 28;
    /** {@code _IOC_SIZE} has 14 bits. */
    private static final int MAX_IOCTL_SIZE = (1 << 14) - 1;

    private final BridgeServer server;
    private final int fd;
    private final int pid;
    private final Client client;
    private MemorySegment in;
    private MemorySegment out;
    private MemorySegment bounce;
    private MemorySegment state;
    private Arena arena;
    /** process_vm_* works for this process; once refused, the caller copies for us. */
    private boolean vmAllowed = true;

    Session(BridgeServer server, int fd, int pid, Client client, boolean useProcessVm) {
        this.vmAllowed = useProcessVm;
        this.server = server;
        this.fd = fd;
        this.pid = pid;
        this.client = client;
    }

    @Override
    public void run() {
        try (Arena a = Arena.ofConfined()) {
            arena = a;
            in = a.allocate(Wire.MAX_MESSAGE, 8);
            out = a.allocate(Wire.MAX_MESSAGE, 8);
            bounce = a.allocate(Wire.MEM_CHUNK, 8);
            state = Posix.callState(a);
            reply(0, null, 0); // HELLO answered
            for (;;) {
                int n = Posix.recv(fd, in, state);
                if (n == 0) {
                    return;
                }
                int op = n < 4 ? 0 : in.get(INT, 0);
                if (op == Wire.IOCTL) {
                    ioctl(n);
                } else if (op == Wire.MMAP) {
                    mmap(n);
                } else if (op == Wire.UNMAP && n == 16) {
                    server.clients().unmapped(pid, in.get(LONG, 8));
                    reply(0, null, 0);
                } else {
                    reply(-Errno.EINVAL.code(), null, 0);
                }
            }
        } catch (Posix.PosixException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "control connection of " + pid + " ended: " + e.getMessage());
        } catch (DrmException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "control connection of " + pid + " lost: " + e.getMessage());
        } finally {
            dropUnadopted();
            server.sessionEnded(this, fd, pid);
        }
    }

    private void ioctl(int n) throws Posix.PosixException, DrmException {
        if (n < IOCTL_HEADER) {
            reply(-Errno.EINVAL.code(), null, 0);
            return;
        }
        int cmd = in.get(INT, 4);
        int size = in.get(INT, 8);
        int inLength = in.get(INT, 12);
        long arg = in.get(LONG, 16);
        int nameLength = in.get(INT, 24);
        if (size < 0 || size > MAX_IOCTL_SIZE || (inLength != 0 && inLength != size) || nameLength <= 0
                || nameLength > Wire.MAX_NAME || (long) IOCTL_HEADER + nameLength + inLength != n) {
            reply(-Errno.EINVAL.code(), null, 0);
            return;
        }
        String name = new String(in.asSlice(IOCTL_HEADER, nameLength).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
        Endpoint endpoint = server.endpoint(name);
        if (endpoint == null) {
            reply(-Errno.EBADF.code(), null, 0);
            return;
        }
        dropUnadopted();
        MemorySegment struct = MemorySegment.ofArray(new byte[size]);
        MemorySegment.copy(in, IOCTL_HEADER + nameLength, struct, 0, inLength);
        List<FdFields> fdFields = FdFields.of(cmd).stream().filter(f -> f.offset() + 4 <= size).toList();
        Call call = new Call(this, arg, struct);
        List<Adoption> adoptions = new ArrayList<>(1);
        int result;
        int[] inFds = new int[fdFields.size()];
        int[] programFds = new int[fdFields.size()];
        java.util.Arrays.fill(inFds, -1);
        try {
            for (int i = 0; i < fdFields.size(); i++) {
                FdFields f = fdFields.get(i);
                if (!f.output()) {
                    programFds[i] = struct.get(INT, f.offset());
                    inFds[i] = translateIn(programFds[i]);
                    struct.set(INT, f.offset(), inFds[i]);
                }
            }
            int kfd = client.install(endpoint.file());
            try {
                result = CallerMemory.during(call, () -> client.ioctl(kfd, cmd, arg));
            } finally {
                client.close(kfd);
            }
            // the struct now holds what the ioctl wrote; an output made a file in the client's table
            for (FdFields f : fdFields) {
                if (f.output() && result >= 0) {
                    adoptions.add(adoption(f, struct));
                }
            }
        } catch (DrmException e) {
            result = -e.errno().code();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "ioctl 0x" + Integer.toHexString(cmd) + " of " + client + " failed", e);
            result = -Errno.EIO.code();
        } finally {
            for (int in : inFds) {
                if (in >= 0) {
                    client.close(in);
                }
            }
        }
        for (int i = 0; i < fdFields.size(); i++) {
            if (!fdFields.get(i).output()) {
                struct.set(INT, fdFields.get(i).offset(), programFds[i]); // the program reads back its own number
            }
        }
        callEventFds.forEach(NativeEventFd::callDone);
        callEventFds.clear();
        server.ioctlServed();
        boolean copyBack = (cmd >>> 30 & 2) != 0; // _IOC_READ
        reply(result, struct, copyBack ? size : 0, adoptions);
    }

    /** {@code mmap} of a GEM object: the caller maps the shared file's range itself. */
    private void mmap(int n) throws Posix.PosixException {
        int nameLength = n >= 24 ? in.get(INT, 4) : -1;
        if (nameLength <= 0 || nameLength > Wire.MAX_NAME || n != 24 + nameLength) {
            reply(-Errno.EINVAL.code(), null, 0);
            return;
        }
        long offset = in.get(LONG, 8);
        long length = in.get(LONG, 16);
        Endpoint endpoint = server.endpoint(new String(in.asSlice(24, nameLength).toArray(ValueLayout.JAVA_BYTE),
                StandardCharsets.US_ASCII));
        if (endpoint == null) {
            reply(-Errno.EBADF.code(), null, 0);
            return;
        }
        SharedMapping mapping;
        try {
            int kfd = client.install(endpoint.file());
            try {
                mapping = client.mmapShared(kfd, length, offset);
            } finally {
                client.close(kfd);
            }
        } catch (DrmException e) {
            reply(-e.errno().code(), null, 0);
            return;
        }
        long id = server.clients().mapped(pid, mapping);
        byte[] path = mapping.backing().file().toString().getBytes(StandardCharsets.UTF_8);
        MemorySegment answer = MemorySegment.ofArray(new byte[16 + path.length]);
        answer.set(LONG, 0, id);
        answer.set(LONG, 8, mapping.backing().offset());
        MemorySegment.copy(path, 0, answer, ValueLayout.JAVA_BYTE, 16, path.length);
        reply(0, answer, (int) answer.byteSize());
    }

    /** A file Kiln made for the caller, waiting for it to connect an endpoint ({@link Wire#ADOPT}). */
    private record Adoption(int offset, boolean cloexec, long id, String kind) {
    }

    private final List<Long> unadopted = new ArrayList<>();
    /** Eventfds the current call brought; each is let go of by the call when it ends. */
    private final List<NativeEventFd> callEventFds = new ArrayList<>(1);

    private Adoption adoption(FdFields field, MemorySegment struct) throws DrmException {
        int kfd = struct.get(INT, field.offset());
        OpenFile held = client.hold(kfd);
        client.close(kfd);
        String kind = BridgeServer.kindOf(held.file());
        long id = server.awaitAdoption(held, kind);
        unadopted.add(id);
        return new Adoption(field.offset(), field.cloexec(struct), id, kind);
    }

    /** What the caller did not adopt by its next request was not wanted (it failed or died): let go. */
    private void dropUnadopted() {
        for (long id : unadopted) {
            server.dropAdoption(id);
        }
        unadopted.clear();
    }

    /**
     * The program's descriptor as one in the Kiln client, installed for this call: its Kiln file,
     * or a file of no kind Kiln knows (the kernel's "not a syncobj/dma-buf": EINVAL), or -1 for a
     * descriptor the program does not have (EBADF).
     */
    private int translateIn(int programFd) throws DrmException {
        try {
            out.set(INT, 0, Wire.FD_QUERY);
            out.set(INT, 4, programFd);
            Posix.send(fd, out, 8, state);
            int[] passed = new int[1];
            int n = Posix.recvWithFd(fd, in, state, passed, arena);
            if (passed[0] >= 0 && (n < 8 || in.get(INT, 4) != Wire.FD_EVENTFD)) {
                Posix.close(passed[0]); // nothing was asked to come with this answer
                passed[0] = -1;
            }
            if (n >= 8 && in.get(INT, 0) == Wire.FD_INFO && in.get(INT, 4) == Wire.FD_EVENTFD) {
                if (passed[0] < 0) {
                    throw new DrmException(Errno.EIO, "the caller said eventfd and sent none");
                }
                NativeEventFd eventFd = new NativeEventFd(passed[0]);
                server.clients().eventFd(pid, eventFd);
                callEventFds.add(eventFd);
                return client.install(eventFd);
            }
            if (n < 8 || in.get(INT, 0) != Wire.FD_INFO) {
                throw new DrmException(Errno.EIO, "the caller answered a descriptor query with a malformed message");
            }
            int what = in.get(INT, 4);
            if (what == Wire.FD_KILN) {
                String name = new String(in.asSlice(8, Math.min(n - 8, Wire.MAX_NAME)).toArray(ValueLayout.JAVA_BYTE),
                        StandardCharsets.US_ASCII);
                Endpoint endpoint = server.endpoint(name);
                if (endpoint != null) {
                    return client.install(endpoint.file());
                }
            }
            return what == Wire.FD_CLOSED ? -1 : client.install(ForeignFile.INSTANCE);
        } catch (Posix.PosixException e) {
            throw new DrmException(Errno.EIO, "the caller went away during its call", e);
        }
    }

    /** A descriptor of the program's that is not Kiln's: a file of a kind no Kiln ioctl takes. */
    enum ForeignFile {
        INSTANCE
    }

    private void reply(int result, MemorySegment struct, int length) throws Posix.PosixException {
        reply(result, struct, length, List.of());
    }

    private void reply(int result, MemorySegment struct, int length, List<Adoption> adoptions) throws Posix.PosixException {
        out.set(INT, 0, Wire.REPLY);
        out.set(INT, 4, result);
        out.set(INT, 8, length);
        out.set(INT, 12, adoptions.size());
        long at = 16;
        for (Adoption a : adoptions) {
            out.set(INT, at, a.offset());
            out.set(INT, at + 4, a.cloexec() ? 1 : 0);
            out.set(LONG, at + 8, a.id());
            byte[] kind = a.kind().getBytes(StandardCharsets.US_ASCII);
            out.asSlice(at + 16, 16).fill((byte) 0);
            MemorySegment.copy(kind, 0, out, ValueLayout.JAVA_BYTE, at + 16, Math.min(15, kind.length));
            at += Wire.ADOPT_ENTRY;
        }
        if (length > 0) {
            MemorySegment.copy(struct, 0, out, at, length);
        }
        Posix.send(fd, out, at + length, state);
    }

    /** Moves bytes between Kiln and the caller's memory (see {@link Call}); EFAULT for what is not mapped there. */
    void remote(boolean write, long address, MemorySegment local, long offset, long length) throws DrmException {
        long done = 0;
        while (done < length) {
            int chunk = (int) Math.min(Wire.MEM_CHUNK, length - done);
            long at = address + done;
            if (write) {
                MemorySegment.copy(local, offset + done, bounce, 0, chunk);
            }
            if (!(vmAllowed && viaKernel(write, at, chunk))) {
                viaCaller(write, at, chunk);
            }
            if (!write) {
                MemorySegment.copy(bounce, 0, local, offset + done, chunk);
            }
            done += chunk;
        }
    }

    private boolean viaKernel(boolean write, long address, int length) throws DrmException {
        try {
            long n = Posix.vm(write, pid, bounce, address, length, arena, state);
            if (n != length) {
                throw fault(address, length);
            }
            return true;
        } catch (Posix.PosixException e) {
            if (e.errno == Posix.EPERM || e.errno == Posix.ENOSYS) {
                vmAllowed = false; // Yama or seccomp: the caller copies from now on
                return false;
            }
            throw fault(address, length);
        }
    }

    private void viaCaller(boolean write, long address, int length) throws DrmException {
        try {
            out.set(INT, 0, write ? Wire.MEM_WRITE : Wire.MEM_READ);
            out.set(INT, 4, length);
            out.set(LONG, 8, address);
            if (write) {
                MemorySegment.copy(bounce, 0, out, 16, length);
            }
            Posix.send(fd, out, write ? 16 + length : 16, state);
            int n = Posix.recv(fd, in, state);
            int expected = write ? Wire.MEM_ACK : Wire.MEM_DATA;
            if (n < 8 || in.get(INT, 0) != expected) {
                throw new DrmException(Errno.EIO, "the caller answered a memory request with a malformed message");
            }
            if (in.get(INT, 4) != 0) {
                throw fault(address, length);
            }
            if (!write) {
                if (n != 8 + length) {
                    throw new DrmException(Errno.EIO, "the caller sent " + (n - 8) + " bytes for " + length);
                }
                MemorySegment.copy(in, 8, bounce, 0, length);
            }
        } catch (Posix.PosixException e) {
            throw new DrmException(Errno.EIO, "the caller went away during its call", e);
        }
    }

    private static DrmException fault(long address, long length) {
        return DrmException.quiet(Errno.EFAULT, "bad address 0x" + Long.toHexString(address) + "+" + length);
    }

    int pid() {
        return pid;
    }
}
