/**
 * Clients: the processes that use DRM. A {@link kiln.drm.api.client.Client} owns an
 * {@link kiln.drm.api.client.AddressSpace} (UAPI pointers are addresses in it) and a file
 * descriptor table (DRM files, dma-bufs, sync files), and calls ioctls by number as
 * {@code ioctl(2)} does.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>Every access to client memory is bounds-checked: an address range not entirely inside one
 * mapping faults with {@link kiln.drm.api.Errno#EFAULT} and touches nothing. Address 0 is never
 * mapped; mappings are separated by unmapped guard gaps.</li>
 * <li>File descriptors are small non-negative integers, lowest free first, as POSIX requires. An
 * unknown descriptor is {@link kiln.drm.api.Errno#EBADF}.</li>
 * <li>Exiting a client closes every descriptor it holds (the kernel's order for each file) and
 * unmaps its memory. Exit is one transition: from it on nothing is installed in the descriptor
 * table and nothing is mapped ({@link kiln.drm.api.Errno#ESRCH}); what an {@code open}, export
 * or {@code mmap} racing it made is either released by the exit or given back at once.</li>
 * <li>A client is thread-safe: its threads may issue ioctls concurrently.</li>
 * <li>A native client ({@link kiln.drm.api.client.ClientFactory#spawnNative}) is a host process
 * using Kiln's device nodes through the native bridge: the same dispatch, errnos and release on
 * last close; its memory is the calling process's own.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package kiln.drm.api.client;
