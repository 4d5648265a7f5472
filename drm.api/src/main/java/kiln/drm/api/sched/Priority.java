package kiln.drm.api.sched;

/** Run-queue priorities ({@code enum drm_sched_priority}), lowest first. */
public enum Priority {
    LOW,
    NORMAL,
    HIGH,
    KERNEL
}
