package kiln.drm.impl.client;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.AddressSpace;
import kiln.drm.api.client.Client;
import kiln.drm.api.client.NativeProcess;
import kiln.drm.api.client.OpenFile;
import kiln.drm.api.client.SharedMapping;
import kiln.drm.impl.device.DeviceFile;
import kiln.drm.impl.device.DrmCore;
import kiln.drm.impl.gem.GemService;

/**
 * A client. The descriptor table is an array indexed by fd, guarded by the process monitor for
 * changes and read without it on the ioctl path (a volatile array reference; slots change under
 * the lock and are published by replacing the array).
 */
final class Process implements Client {
    static final int MAX_FILES = 1024;

    private final int pid;
    private final String name;
    private final boolean privileged;
    private final AddressSpace memory;
    /** The memory Kiln maps for a client in the runtime; null for a native client. */
    private final UserMemory ownMemory;
    private final NativeProcess nativeProcess;
    private final DrmCore core;
    private final ClientTable table;
    private volatile Object[] files = new Object[16];
    private int open;
    private volatile boolean exited;

    Process(int pid, String name, boolean privileged, long memoryLimit, DrmCore core, ClientTable table) {
        this.pid = pid;
        this.name = name;
        this.privileged = privileged;
        this.ownMemory = new UserMemory(memoryLimit);
        this.memory = ownMemory;
        this.nativeProcess = null;
        this.core = core;
        this.table = table;
    }

    Process(int pid, NativeProcess process, AddressSpace memory, DrmCore core, ClientTable table) {
        this.pid = pid;
        this.name = process.comm();
        this.privileged = process.uid() == 0;
        this.ownMemory = null;
        this.memory = memory;
        this.nativeProcess = process;
        this.core = core;
        this.table = table;
    }

    @Override
    public Optional<NativeProcess> nativeProcess() {
        return Optional.ofNullable(nativeProcess);
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean privileged() {
        return privileged;
    }

    @Override
    public AddressSpace memory() {
        return memory;
    }

    @Override
    public int open(String node) throws DrmException {
        checkAlive();
        // the file starts with no holder; install makes the descriptor its first, or releases it
        return install(core.open(node, this));
    }

    @Override
    public int ioctl(int fd, int cmd, long arg) throws DrmException {
        Object[] table = files;
        Object file = fd >= 0 && fd < table.length ? table[fd] : null;
        if (file instanceof DeviceFile drm) {
            return Caller.ioctl(this, drm, cmd, arg);
        }
        if (file == null) {
            throw DrmException.quiet(Errno.EBADF, "fd " + fd + " is not open in " + this);
        }
        if (file instanceof FileDescription description) {
            return description.ioctl(this, cmd, arg);
        }
        throw DrmException.quiet(Errno.ENOTTY, "fd " + fd + " is not a DRM file");
    }

    @Override
    public long mmap(int fd, long length, long offset) throws DrmException {
        if (ownMemory == null) {
            throw new DrmException(Errno.ENODEV, this + " maps GEM objects in its own process, not through Kiln");
        }
        GemService.Mapped mapped = lookup(fd, DeviceFile.class).mmap(length, offset);
        boolean placed = false;
        try {
            long address = ownMemory.mapShared(mapped.memory(), mapped.unmap());
            placed = true;
            return address;
        } finally {
            if (!placed) {
                mapped.unmap().run(); // refused (limit, or the process exited meanwhile): the object is let go
            }
        }
    }

    @Override
    public SharedMapping mmapShared(int fd, long length, long offset) throws DrmException {
        GemService.Mapped mapped = lookup(fd, DeviceFile.class).mmap(length, offset);
        if (mapped.backing().isEmpty()) {
            mapped.unmap().run();
            throw new DrmException(Errno.ENODEV, "physical memory is not shared (kiln.drm.pages shared.dir)");
        }
        kiln.drm.api.memory.BackingFile backing = mapped.backing().get();
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return new SharedMapping() {
            @Override
            public kiln.drm.api.memory.BackingFile backing() {
                return backing;
            }

            @Override
            public long length() {
                return length;
            }

            @Override
            public void close() {
                if (released.compareAndSet(false, true)) {
                    mapped.unmap().run();
                }
            }
        };
    }

    @Override
    public void close(int fd) throws DrmException {
        Object file;
        synchronized (this) {
            Object[] table = files;
            file = fd >= 0 && fd < table.length ? table[fd] : null;
            if (file == null) {
                throw new DrmException(Errno.EBADF, "fd " + fd + " is not open in " + this);
            }
            Object[] copy = table.clone();
            copy[fd] = null;
            files = copy;
            open--;
        }
        if (file instanceof FileDescription description) {
            description.release();
        }
    }

    @Override
    public int install(Object file) throws DrmException {
        if (file instanceof FileDescription description && !description.acquire()) {
            throw new DrmException(Errno.EBADF, file + " was already released");
        }
        try {
            return place(file);
        } catch (DrmException e) {
            if (file instanceof FileDescription description) {
                description.release();
            }
            throw e;
        }
    }

    private int place(Object file) throws DrmException {
        synchronized (this) {
            checkAlive();
            Object[] table = files;
            for (int fd = 0; fd < MAX_FILES; fd++) {
                if (fd >= table.length) {
                    table = Arrays.copyOf(table, Math.min(MAX_FILES, table.length * 2));
                }
                if (table[fd] == null) {
                    Object[] copy = table == files ? table.clone() : table;
                    copy[fd] = file;
                    files = copy;
                    open++;
                    return fd;
                }
            }
        }
        throw new DrmException(Errno.EMFILE, this + " has " + MAX_FILES + " open files");
    }

    @Override
    public OpenFile hold(int fd) throws DrmException {
        Object file = lookup(fd, Object.class);
        if (file instanceof FileDescription description && !description.acquire()) {
            throw new DrmException(Errno.EBADF, file + " was already released");
        }
        return new HeldFile(file);
    }

    /** An {@link OpenFile}: one holder of the description, let go once. */
    private static final class HeldFile implements OpenFile {
        private final Object file;
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        HeldFile(Object file) {
            this.file = file;
        }

        @Override
        public Object file() {
            return file;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true) && file instanceof FileDescription description) {
                description.release();
            }
        }

        @Override
        public String toString() {
            return "held " + file;
        }
    }

    @Override
    public <T> T lookup(int fd, Class<T> type) throws DrmException {
        Object[] table = files;
        Object file = fd >= 0 && fd < table.length ? table[fd] : null;
        if (file == null) {
            throw DrmException.quiet(Errno.EBADF, "fd " + fd + " is not open in " + this);
        }
        if (!type.isInstance(file)) {
            throw DrmException.quiet(Errno.EINVAL, "fd " + fd + " is not a " + type.getSimpleName());
        }
        return type.cast(file);
    }

    @Override
    public synchronized int openFiles() {
        return open;
    }

    /**
     * Exit is one transition, taken under the process lock: from it on nothing is installed
     * (ESRCH: an {@code open}, PRIME or syncobj export racing the exit gives back what it made)
     * and nothing is mapped; every descriptor the table held then is released, and every mapping
     * goes.
     */
    @Override
    public void exit() {
        List<Object> held = new ArrayList<>();
        synchronized (this) {
            if (exited) {
                return;
            }
            exited = true;
            for (Object file : files) {
                if (file != null) {
                    held.add(file);
                }
            }
            files = new Object[0];
            open = 0;
        }
        for (Object file : held) {
            if (file instanceof FileDescription description) {
                description.release();
            }
        }
        if (ownMemory != null) {
            ownMemory.close();
        }
        table.exited(this);
    }

    @Override
    public boolean exited() {
        return exited;
    }

    private void checkAlive() throws DrmException {
        if (exited) {
            throw new DrmException(Errno.ESRCH, this + " has exited");
        }
    }

    @Override
    public String toString() {
        return nativeProcess == null ? name + "[" + pid + "]" : name + "[" + pid + ", host pid " + nativeProcess.pid() + "]";
    }
}
