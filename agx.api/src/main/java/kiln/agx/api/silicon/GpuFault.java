package kiln.agx.api.silicon;

import kiln.agx.api.hw.FaultInfo;

/**
 * An access the UAT refused. The fault is also latched in {@code FAULT_INFO} (if no earlier
 * fault is still latched there). Stackless: it is an answer, not a bug in the simulator.
 */
public final class GpuFault extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient FaultInfo info;
    private final long fullAddress;

    public GpuFault(FaultInfo info, long fullAddress) {
        super(null, null, false, false);
        this.info = info;
        this.fullAddress = fullAddress;
    }

    /** The fault as the register encodes it. */
    public FaultInfo info() {
        return info;
    }

    /** The complete faulting address (the register keeps only 64-byte granules below bit 40). */
    public long fullAddress() {
        return fullAddress;
    }

    @Override
    public String getMessage() {
        return "GPU fault: " + info + " (0x" + Long.toHexString(fullAddress) + ")";
    }
}
