package kiln.agx.firmware.internal;

import kiln.agx.api.hw.FaultInfo;
import kiln.agx.api.silicon.DispatchResult;

/**
 * How the unit work a Start op launched ended, as the firmware reports it.
 *
 * @param kind   the outcome
 * @param start  GPU ticks when the work started
 * @param end    GPU ticks when it ended
 * @param fault  the UAT fault for {@link Kind#FAULT}
 * @param detail what happened, for the firmware log
 */
record UnitOutcome(Kind kind, long start, long end, FaultInfo fault, String detail) {
    enum Kind {
        /** Everything ran. */
        DONE,
        /** A GPU memory access faulted: reported as an {@code EventMsg::Fault}, with {@code FAULT_INFO} latched. */
        FAULT,
        /** The work could not run (illegal program, malformed control stream): a fault with no fault info. */
        ERROR,
        /** Cancelled: the watchdog fired or the silicon powered off. */
        CANCELLED
    }

    static UnitOutcome of(DispatchResult r) {
        return switch (r.status()) {
            case COMPLETED -> new UnitOutcome(Kind.DONE, r.startTicks(), r.endTicks(), null, null);
            case FAULT -> new UnitOutcome(Kind.FAULT, r.startTicks(), r.endTicks(), r.fault(), r.detail());
            case ILLEGAL_PROGRAM -> new UnitOutcome(Kind.ERROR, r.startTicks(), r.endTicks(), null, r.detail());
            case CANCELLED -> new UnitOutcome(Kind.CANCELLED, r.startTicks(), r.endTicks(), null, r.detail());
        };
    }

    boolean ok() {
        return kind == Kind.DONE;
    }
}
