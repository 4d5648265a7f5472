package kiln.agx.api.silicon;

import kiln.agx.api.hw.FaultInfo;

/**
 * How a unit's work ended.
 *
 * @param status     the outcome
 * @param startTicks GPU timestamp when the unit started
 * @param endTicks   GPU timestamp when it finished
 * @param fault      the UAT fault for {@link Status#FAULT}, else {@code null}
 * @param detail     for anything but {@link Status#COMPLETED}, what happened, for logs
 */
public record DispatchResult(Status status, long startTicks, long endTicks, FaultInfo fault, String detail) {
    /** Outcomes. */
    public enum Status {
        /** Every workgroup ran to its end. */
        COMPLETED,
        /** A memory access (program fetch, uniforms or a thread's load/store) faulted. */
        FAULT,
        /** The program is not legal KSA, or a thread made a misaligned access. */
        ILLEGAL_PROGRAM,
        /** Cancelled before it finished (by the caller or by power-off). */
        CANCELLED
    }
}
