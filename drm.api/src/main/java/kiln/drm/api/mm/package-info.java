/**
 * drm_mm: a range allocator for address spaces (GPU virtual memory, firmware heaps, VRAM).
 *
 * <h2>Overview</h2>
 * A {@link kiln.drm.api.mm.RangeAllocator} manages the range {@code [start, start + size)}. Each
 * allocation is a {@link kiln.drm.api.mm.RangeNode} carrying a driver value; the gaps between nodes
 * are <em>holes</em>. Allocators are made by the {@link kiln.drm.api.mm.RangeAllocatorFactory}
 * service.
 *
 * <h2>Placement</h2>
 * An insertion asks for a size, an alignment (0 or 1: none; any other value, not only powers of
 * two), a colour and optionally a sub-range, with an {@link kiln.drm.api.mm.InsertMode}:
 * {@code BEST} (smallest hole that fits, allocate at its bottom), {@code LOW} (lowest hole, bottom),
 * {@code HIGH} (highest hole, allocate at its top) or {@code EVICT} (most recently created hole
 * first, after an eviction scan); the {@code ONCE} variants ({@code LOWEST}, {@code HIGHEST}, ...)
 * try the first hole found only. A {@link kiln.drm.api.mm.ColorAdjust} callback lets the driver
 * shrink a hole depending on the colours of its neighbours (guard pages between cache domains).
 * {@link kiln.drm.api.mm.RangeAllocator#reserve reserve} places a node at a fixed address.
 *
 * <h2>Complexity</h2>
 * As in Linux since 2017: holes are indexed by address (with the largest hole of every subtree, so
 * LOW and HIGH find the first hole big enough in O(log n)) and by size (BEST in O(log n)); a request
 * larger than the largest hole is refused in O(1); removal is O(log n). EVICT walks the hole stack
 * (most recent first), as the kernel does. Listing the holes costs O(holes).
 *
 * <h2>Errors</h2>
 * As in the kernel, no suitable hole, a size of 0, a range smaller than the size, or a reservation
 * that overlaps a node, leaves the allocator or passes 2^64: {@link kiln.drm.api.Errno#ENOSPC}.
 * What the kernel cannot be asked (its BUG_ONs: a range whose end is below its start, an allocator
 * whose range passes 2^64): {@link kiln.drm.api.Errno#EINVAL}. A range reaching outside the allocator is
 * clipped to it, as in the kernel. Inserting,
 * reserving or removing while an eviction scan holds blocks: {@link kiln.drm.api.Errno#EBUSY}.
 * Failures change nothing.
 *
 * <h2>Thread-safety</h2>
 * Unlike the C drm_mm ("not thread-safe, drivers need to protect modifications with their own
 * locking") and like the Rust abstraction of the RFC, an allocator has its own lock: nodes may be
 * removed from any thread at any time. An {@link kiln.drm.api.mm.EvictionScan} is driven by one
 * thread.
 *
 * <h2>Numbers</h2>
 * Addresses, sizes, alignments and colours are unsigned 64-bit numbers, as in the kernel, held in
 * {@code long}s: a negative {@code long} is a value from 2^63 up, and every comparison is unsigned.
 * An allocator may cover {@code [start, start + size)} anywhere below 2^64.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package kiln.drm.api.mm;
