package kiln.drm.impl.device;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.driver.DriverFeature;
import kiln.drm.api.file.DrmFile;

/** The core's one feature gate ({@code drm_core_check_feature}) for ioctls that need a driver feature. */
public final class DriverFeatures {
    private DriverFeatures() {
    }

    /**
     * @throws DrmException EOPNOTSUPP if the file's driver did not declare {@code feature} at registration
     */
    public static void require(DrmFile file, DriverFeature feature) throws DrmException {
        Device device = ((DeviceFile) file).device;
        if (!device.features.contains(feature)) {
            throw DrmException.quiet(Errno.EOPNOTSUPP, device.info.name() + " lacks " + feature);
        }
    }
}
