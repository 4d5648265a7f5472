/**
 * The DRM error model shared by every Kiln abstraction.
 *
 * <p>Every failure that can reach a DRM client is a {@link kiln.drm.api.DrmException} carrying one
 * {@link kiln.drm.api.Errno}; nothing else escapes an ioctl. The abstractions themselves live in
 * the sub-packages, one per abstraction.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package kiln.drm.api;
