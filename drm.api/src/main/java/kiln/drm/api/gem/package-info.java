/**
 * GEM: graphics memory objects, their per-file handles, CPU mappings and PRIME sharing; and
 * GEM-shmem, objects backed by system memory pages.
 *
 * <h2>Objects and references</h2>
 * A {@link kiln.drm.api.gem.GemObject} is reference-counted ({@code get}/{@code put}, the
 * kernel's {@code drm_gem_object_get/put}). Creation returns the caller's reference; every handle,
 * dma-buf, CPU mapping and lookup holds one more. When the count reaches zero the driver's
 * {@link kiln.drm.api.gem.GemObjectFuncs#free free} hook runs and the backing memory is returned.
 *
 * <h2>Handles</h2>
 * Handles are per file, allocated lowest-free from 1: 0 is never a handle. A handle holds a
 * reference. Creating a handle runs the object's {@code open} hook (its failure fails the
 * creation and leaves nothing behind); closing one runs {@code close}. Looking up an unknown
 * handle is {@link kiln.drm.api.Errno#ENOENT}; closing one is {@link kiln.drm.api.Errno#EINVAL}
 * (as {@code drm_gem_handle_delete}). Closing the file closes all its handles.
 *
 * <h2>mmap</h2>
 * {@link kiln.drm.api.gem.GemObject#mmapOffset()} gives the object a fake offset in its device's
 * mmap space ({@code drm_gem_create_mmap_offset}); a client maps the object by passing that offset
 * to {@code mmap} on a file that holds a handle to it (another file: EACCES, unknown offset:
 * EINVAL). The mapping holds a reference until unmapped.
 *
 * <h2>PRIME</h2>
 * Export puts a dma-buf descriptor for the object in the client's fd table (an object not
 * {@link kiln.drm.api.gem.GemObject#setExportable exportable} answers EINVAL, the seed's patch
 * 13); exporting again reuses the object's dma-buf. Import gives a handle; importing the same
 * dma-buf twice into one file gives the same handle. A dma-buf from another device becomes a new
 * object of this device sharing the same pages.
 *
 * <h2>GEM-shmem</h2>
 * A {@link kiln.drm.api.gem.ShmemObject}'s pages (16 KiB, off-heap) come from the physical page
 * pool when first needed (scatter list, vmap, mmap), zeroed; a pool with too few free pages
 * answers ENOMEM, never an OutOfMemoryError. A {@link kiln.drm.api.gem.ShmemMapping} holds a
 * reference; once the object is freed every view of its memory fails with
 * {@link IllegalStateException} rather than reading freed memory.
 *
 * <p>Thread-safety: all types here are thread-safe.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package kiln.drm.api.gem;
