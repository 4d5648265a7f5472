/**
 * DRM ioctls: the Linux ioctl number encoding and the descriptor flags a driver's ioctl table
 * carries.
 *
 * <p>An ioctl number packs four fields, as {@code <asm-generic/ioctl.h>} does:
 * {@code dir << 30 | size << 16 | type << 8 | nr}. {@code dir} says which way the argument struct
 * is copied ({@link kiln.drm.api.ioctl.IoctlNumber#WRITE} = user to kernel,
 * {@link kiln.drm.api.ioctl.IoctlNumber#READ} = kernel to user, both, or none), {@code size} is the
 * struct's size in bytes (14 bits), {@code type} is {@code 'd'} for DRM, and {@code nr} numbers the
 * ioctl: core DRM ioctls below {@link kiln.drm.api.ioctl.IoctlNumber#DRM_COMMAND_BASE}, driver
 * ioctls from it.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package kiln.drm.api.ioctl;
