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

    /**
     * Moves the running device to firmware {@code version} live (see {@code AgxGpu.swapFirmware}).
     *
     * @return the swap as recorded
     * @throws IllegalArgumentException no such firmware, or it does not run this chip
     * @throws IllegalStateException    the device is not running, is pinned to another version, or
     *                                  the swap failed (the message says why)
     */
    kiln.agx.driver.internal.gpu.FirmwareSwap swap(String version);

    /**
     * Injects a fault into the running device (Kiln's test hook): {@code firmware-crash},
     * {@code firmware-hang}, {@code gpu-hang}, {@code mmu-fault}, {@code memory-exhaustion} (for
     * two seconds).
     *
     * @throws IllegalArgumentException an unknown fault
     * @throws IllegalStateException    the device is not running
     */
    void inject(String fault);

    /** The firmware swaps of the running GPU, oldest first. */
    java.util.List<kiln.agx.driver.internal.gpu.FirmwareSwap> history();

    /** The registered DRM device while running. */
    Optional<kiln.drm.api.device.DrmDevice> drmDevice();
}
