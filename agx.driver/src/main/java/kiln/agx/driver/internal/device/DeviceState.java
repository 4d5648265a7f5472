package kiln.agx.driver.internal.device;

/** Where a declared device is; every state but RUNNING comes with the reason. */
public enum DeviceState {
    /** No {@code GpuCore} service for its chip. */
    WAITING_FOR_CORE,
    /** The core is there; no firmware that supports it (or not the pinned one). */
    WAITING_FOR_FIRMWARE,
    /** The pinned firmware does not run on this core (ENODEV, as the real driver answers). */
    UNSUPPORTED,
    /** Powering on and booting the firmware. */
    PROBING,
    /** Probed; its DRM node serves clients. */
    RUNNING,
    /** Probe failed; the reason says why (it is retried when a core or firmware changes). */
    FAILED
}
