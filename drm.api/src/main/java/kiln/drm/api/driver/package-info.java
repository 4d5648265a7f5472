/**
 * DRM drivers ({@code struct drm_driver}): what a driver declares to the DRM core. A
 * {@link kiln.drm.api.driver.DrmDriver} gives its {@link kiln.drm.api.driver.DriverInfo}, its
 * {@link kiln.drm.api.driver.DriverFeature features}, its ioctl table and its per-file hooks; it
 * becomes reachable by clients once a device is registered for it
 * ({@link kiln.drm.api.device.DrmDeviceFactory}).
 *
 * <p>The ioctl table follows {@code declare_drm_ioctls!}: entry {@code i} has number
 * {@code DRM_COMMAND_BASE + i}, with no gaps; registration refuses any other table with EINVAL.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package kiln.drm.api.driver;
