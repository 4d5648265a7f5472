package kiln.agx.firmware.internal;

import kiln.agx.api.firmware.FirmwareVersion;
import kiln.agx.api.hw.GpuGen;

/**
 * One (generation, firmware) pair a layout is built for: the {@code G} and {@code V} of the
 * real driver's {@code #[ver(...)]} conditions.
 */
public record Target(GpuGen generation, FirmwareVersion version) {
    /**
     * 13.0 beta 4, the real threshold of the "Ventura-style" layouts. No firmware between 12.4
     * and 13.2 is generated, so comparing against 13.0 release is the same test.
     */
    private static final FirmwareVersion V13_0B4 = new FirmwareVersion(13, 0, 0);
    private static final FirmwareVersion V13_2 = new FirmwareVersion(13, 2, 0);

    /** {@code V >= V13_0B4}. */
    public boolean ventura() {
        return version.compareTo(V13_0B4) >= 0;
    }

    /** {@code V >= V13_2}. */
    public boolean atLeast13_2() {
        return version.compareTo(V13_2) >= 0;
    }

    /** {@code G == G13}. */
    public boolean g13() {
        return generation == GpuGen.G13;
    }

    /** {@code G >= G14}. */
    public boolean g14() {
        return generation == GpuGen.G14;
    }
}
