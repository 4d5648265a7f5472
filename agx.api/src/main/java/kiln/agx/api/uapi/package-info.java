/**
 * The asahi UAPI as clients see it (the RFC's {@code asahi_drm.h}, version 10006): ioctl
 * numbers, the structs' layouts in client memory, flags, enums and the driver's limits. Used by
 * the driver to decode ioctls and by the client library to encode them.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package kiln.agx.api.uapi;
