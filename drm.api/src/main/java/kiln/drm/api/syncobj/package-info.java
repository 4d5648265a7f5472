/**
 * drm_syncobj: a container for a fence that userspace names by a per-file handle, waits on,
 * signals, resets, and shares as a file descriptor or as a sync file.
 *
 * <h2>Binary and timeline</h2>
 * A binary syncobj holds one fence or none ({@link kiln.drm.api.syncobj.SyncObj#replaceFence}).
 * A timeline syncobj holds a chain of points ({@link kiln.drm.api.syncobj.SyncObj#addPoint}), each a
 * {@link kiln.drm.api.fence.FenceChain} link; point {@code n} is reached when every point up to it
 * has signalled. The same object can be used either way, as in the kernel.
 *
 * <h2>Rules (the kernel's, in drm_syncobj.c)</h2>
 * <ul>
 * <li>Unknown handles: ENOENT when looked up by a driver or by WAIT; EINVAL from DESTROY.</li>
 * <li>Waiting on a syncobj that has no fence (or a timeline point not yet submitted) is EINVAL,
 * unless WAIT_FOR_SUBMIT is set, in which case the wait also covers the submission.</li>
 * <li>A wait that runs out of time is ETIME. Timeouts in the UAPI are absolute
 * {@code CLOCK_MONOTONIC} nanoseconds; Kiln's monotonic clock is {@link System#nanoTime()}.</li>
 * <li>Points are unsigned 64-bit numbers (from 2^63 up too). Adding a point at or below the last
 * one is allowed (the kernel only warns); the chain then starts a new fence context.</li>
 * <li>An ioctl that names several syncobjs looks every handle up and checks every value before it
 * changes any of them: it fails whole or succeeds whole.</li>
 * <li>A syncobj lives while a handle, a descriptor or a driver holds it; handles are per file, from
 * 1, and close with the file.</li>
 * </ul>
 * Thread-safe throughout.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package kiln.drm.api.syncobj;
