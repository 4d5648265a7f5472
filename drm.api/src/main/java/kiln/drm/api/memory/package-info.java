/**
 * The simulated machine's physical memory: one pool of 16 KiB page frames that the CPU side
 * (GEM-shmem objects, page tables, firmware regions) and the simulated GPU share, as Apple
 * silicon shares its RAM.
 *
 * <h2>Frames and ownership</h2>
 * Memory is allocated as {@link kiln.drm.api.memory.PhysicalPages}, a run of frames whose
 * owner holds them until {@link kiln.drm.api.memory.PhysicalPages#close() close}. Frames are
 * handed out lowest-free from {@link kiln.drm.api.memory.PhysicalMemory#DRAM_BASE}, so an
 * allocation is physically contiguous when the pool is not fragmented, and always zeroed.
 * The pool has a configured limit; running out is {@link kiln.drm.api.Errno#ENOMEM}, never a
 * JVM {@code OutOfMemoryError}.
 *
 * <h2>Access by physical address</h2>
 * A device reaches memory by physical address through
 * {@link kiln.drm.api.memory.PhysicalMemory#frame(long)}, which answers the frame's 16 KiB
 * segment while it is allocated and {@code null} otherwise. Once the owner closes its pages,
 * every segment obtained earlier fails with {@link IllegalStateException} instead of reading
 * memory that now belongs to someone else: a device holding a stale translation (a TLB entry
 * nobody invalidated) sees an error, never another owner's data.
 *
 * <h2>Thread safety</h2>
 * Allocation and release are serialized by the pool; {@code frame} is lock-free and may be
 * called from any thread. Reads and writes of frame contents are plain memory accesses: agents
 * sharing a frame order their accesses themselves, as on hardware.
 */
@Version("1.1.0")
@Export
package kiln.drm.api.memory;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
