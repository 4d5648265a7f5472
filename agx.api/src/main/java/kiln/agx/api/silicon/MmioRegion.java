package kiln.agx.api.silicon;

import kiln.agx.api.hw.AgxRegisters;

/** The GPU's two register windows (platform resources 0 and 1). */
public enum MmioRegion {
    /** The ASC coprocessor's control block. */
    ASC(AgxRegisters.ASC_REGION_BYTES),
    /** The GPU proper. */
    SGX(AgxRegisters.SGX_REGION_BYTES);

    private final int bytes;

    MmioRegion(int bytes) {
        this.bytes = bytes;
    }

    /** The window size in bytes. */
    public int bytes() {
        return bytes;
    }
}
