/**
 * DRM files ({@code struct drm_file}): one per open of a device node.
 *
 * <h2>Lifecycle</h2>
 * Opening a node creates the file and calls the driver's {@code open} hook, whose result is the
 * file's driver-private state. When the last descriptor for it closes (or its client exits), the
 * file is released in the kernel's order ({@code drm_file_free}): syncobj handles, then GEM
 * handles (each handle's close hook, then its reference), then the driver's {@code postclose},
 * then the PRIME import/export bookkeeping. Nothing a file held survives it unless another file
 * or a dma-buf holds its own reference.
 *
 * <h2>Permissions</h2>
 * A render-node file is a render client: it may call only ioctls flagged RENDER_ALLOW, and
 * counts as authenticated. A primary-node file is authenticated if its client is privileged or it
 * is the master (the first opener of the primary node becomes master while it is open).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package kiln.drm.api.file;
