/** Devices, files and ioctl dispatch: the DRM core proper (private to the bundle). */
package kiln.drm.impl.device;
