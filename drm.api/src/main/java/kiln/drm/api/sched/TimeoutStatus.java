package kiln.drm.api.sched;

/** What a backend's timeout handler reports ({@code enum drm_gpu_sched_stat}). */
public enum TimeoutStatus {
    /** Handled; the scheduler carries on. */
    NOMINAL,
    /** The device is gone; the scheduler stops running jobs. */
    NO_DEVICE
}
