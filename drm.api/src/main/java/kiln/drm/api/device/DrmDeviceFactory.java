package kiln.drm.api.device;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import kiln.drm.api.DrmException;
import kiln.drm.api.driver.DrmDriver;

/** The DRM core's device registry ({@code drm_dev_alloc} + {@code drm_dev_register}). */
@ProviderType
public interface DrmDeviceFactory {
    /**
     * Registers a device for {@code driver} and publishes it as a service.
     *
     * @param properties extra service properties (e.g. the chip); may not override the
     *                   {@code drm.*} ones
     * @throws DrmException EINVAL if the driver's ioctl table has gaps, is out of order, or is
     *                      longer than the driver range; ENOSPC when no minor is free
     */
    DrmDevice register(DrmDriver driver, Map<String, ?> properties) throws DrmException;

    /** The plugged device owning a node name ({@code card0}, {@code renderD128}). */
    Optional<DrmDevice> node(String name);

    /** Plugged devices, by render minor. */
    List<DrmDevice> devices();
}
