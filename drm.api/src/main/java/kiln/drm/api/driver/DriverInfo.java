package kiln.drm.api.driver;

/**
 * What {@code DRM_IOCTL_VERSION} reports ({@code drm::drv::DriverInfo}).
 *
 * @param major      driver major version
 * @param minor      driver minor version
 * @param patchlevel driver patch level
 * @param name       short name, e.g. {@code asahi}; also the {@code drm.driver} service property
 * @param desc       description, e.g. {@code Apple AGX Graphics}
 * @param date       {@code YYYYMMDD}
 */
public record DriverInfo(int major, int minor, int patchlevel, String name, String desc, String date) {
    public DriverInfo {
        if (name == null || name.isEmpty() || desc == null || date == null) {
            throw new IllegalArgumentException("driver info needs a name, a description and a date");
        }
    }
}
