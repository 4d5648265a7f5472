package kiln.drm.api.client;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;

/**
 * A process using DRM; see the {@linkplain kiln.drm.api.client package contract}.
 */
@ProviderType
public interface Client {
    /** Process id, unique among live clients. */
    int pid();

    /** Process name ({@code comm}). */
    String name();

    /** Whether the client holds CAP_SYS_ADMIN (ROOT_ONLY ioctls). */
    boolean privileged();

    /**
     * The client's memory. For a native client it is the memory of the process making the current
     * call, as the kernel's {@code current->mm}: a file shared across {@code fork} is used with the
     * memory of whichever process calls.
     */
    AddressSpace memory();

    /** The host process behind a native client; empty for a client living in the runtime. */
    java.util.Optional<NativeProcess> nativeProcess();

    /**
     * Opens a device node ({@code open("/dev/dri/renderD128")}).
     *
     * @param node the node name, e.g. {@code renderD128} or {@code card0}; {@code sw_sync} opens a
     *             new sw_sync timeline ({@code /dev/sw_sync})
     * @return the new file descriptor
     * @throws DrmException ENOENT if no such node; ENODEV if its device is unplugged; whatever the
     *                      driver's open hook answers
     */
    int open(String node) throws DrmException;

    /**
     * {@code ioctl(fd, cmd, arg)}: {@code arg} is an address in {@link #memory()}.
     *
     * @return the ioctl's non-negative result
     * @throws DrmException EBADF for an unknown descriptor, ENOTTY for a descriptor that is not a
     *                      DRM file, otherwise the ioctl's error
     */
    int ioctl(int fd, int cmd, long arg) throws DrmException;

    /**
     * {@code mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset)} on a DRM file: maps
     * the GEM object whose fake offset is {@code offset} into {@link #memory()}. Unmap with
     * {@link AddressSpace#unmap}.
     *
     * @return the mapping's address
     * @throws DrmException EBADF unknown descriptor; EINVAL unknown offset or a length beyond the
     *                      object; EACCES if this file holds no handle to the object; ENOMEM
     */
    long mmap(int fd, long length, long offset) throws DrmException;

    /**
     * {@code mmap} of a GEM object for a process that maps it itself (a native client): instead of
     * a mapping in {@link #memory()}, the range of the shared file that holds the object's bytes.
     *
     * @throws DrmException as {@link #mmap}; ENODEV when physical memory is not shared (see the
     *                      {@code kiln.drm.pages} configuration)
     */
    SharedMapping mmapShared(int fd, long length, long offset) throws DrmException;

    /**
     * Closes a descriptor; the file is released when its last descriptor closes.
     *
     * @throws DrmException EBADF for an unknown descriptor
     */
    void close(int fd) throws DrmException;

    /**
     * Installs an object (a DRM file, a dma-buf, a sync file) at the lowest free descriptor: the
     * DRM core's exports, and passing a descriptor's object to another client ({@code SCM_RIGHTS}).
     * The descriptor is one more holder of the object; it is released when the last descriptor
     * (in any client) referring to it closes.
     *
     * @throws DrmException EMFILE when the table is full; EBADF if the object was already released
     */
    int install(Object file) throws DrmException;

    /**
     * One more holder of the description at {@code fd}, outside any descriptor table (what
     * {@code dup} would give, held by the caller): the description stays open until it is closed,
     * whatever happens to {@code fd} or this client.
     *
     * @throws DrmException EBADF if the descriptor is unknown
     */
    OpenFile hold(int fd) throws DrmException;

    /**
     * The object at a descriptor, if it is of {@code type}.
     *
     * @throws DrmException EBADF if the descriptor is unknown; EINVAL if it holds another type
     */
    <T> T lookup(int fd, Class<T> type) throws DrmException;

    /** Number of open descriptors. */
    int openFiles();

    /** Closes every descriptor and unmaps all memory ({@code exit}). Idempotent. */
    void exit();

    /** Whether {@link #exit()} has run. */
    boolean exited();
}
