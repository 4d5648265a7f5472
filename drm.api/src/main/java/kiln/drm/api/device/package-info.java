/**
 * DRM devices ({@code struct drm_device}) and their registration.
 *
 * <h2>Lifecycle</h2>
 * {@link kiln.drm.api.device.DrmDeviceFactory#register} creates a device for a driver, gives it a
 * primary node ({@code card0}…) and a render node ({@code renderD128}…) and publishes it as an
 * OSGi service of type {@link kiln.drm.api.device.DrmDevice} with the properties named there.
 * {@link kiln.drm.api.device.DrmDevice#unplug()} is {@code drm_dev_unplug}: from that moment every
 * ioctl and open answers {@link kiln.drm.api.Errno#ENODEV}, except close; calls already inside
 * the driver finish first ({@code unplug} returns after them: the {@code drm_dev_enter/exit}
 * rule); then the service goes away. Open files stay valid objects until their clients close
 * them, releasing what they hold.
 *
 * <h2>Thread-safety</h2>
 * Devices are thread-safe. {@code enter()} / {@code exit()} are cheap enough to bracket every
 * ioctl (a striped counter, no lock).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package kiln.drm.api.device;
