package kiln.agx.driver.internal.device;

import java.util.Optional;

import kiln.agx.driver.internal.gpu.AgxGpu;

/** A declared AGX device, as the shell and tests reach it (an internal service). */
public interface AgxDevice {
    /** Service property: the device's name. */
    String NAME = "agx.device.name";

    DeviceStatus status();

    /** The probed GPU while running. */
    Optional<AgxGpu> gpu();

    /** The registered DRM device while running. */
    Optional<kiln.drm.api.device.DrmDevice> drmDevice();
}
