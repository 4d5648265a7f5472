package kiln.drm.api.sched;

/** What a backend's timeout handler reports ({@code enum drm_gpu_sched_stat}). */
public enum TimeoutStatus {
    /** Handled; the scheduler carries on. */
    NOMINAL,
    /**
     * The job is not hung, it is still making progress ({@code DRM_GPU_SCHED_STAT_NO_HANG}): its
     * timeout is re-armed for another full period, and the handler is asked again if it runs out.
     */
    NO_HANG,
    /** The device is gone; the scheduler stops running jobs. */
    NO_DEVICE
}
