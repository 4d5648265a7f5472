package kiln.agx.driver.internal.gpu;

import kiln.drm.api.DrmException;

/**
 * An owner of firmware-visible structures (a user queue: its context, work queues and TVB) that a
 * firmware swap rebuilds in the new firmware's ABI from the driver's own, version-independent
 * state. Registered with {@link AgxGpu#register} while it lives.
 */
public interface FirmwareClient {
    /**
     * Builds every structure anew with {@link AgxGpu#abi()} (already the new firmware's) and frees
     * the old ones. Called during a swap only: the old firmware is stopped, the new one not yet
     * booted, and none of this owner's work is in flight.
     */
    void rebuild() throws DrmException;
}
