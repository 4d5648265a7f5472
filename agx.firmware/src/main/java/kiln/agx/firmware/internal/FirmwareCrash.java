package kiln.agx.firmware.internal;

/**
 * Something the firmware cannot survive (a malformed structure, an unknown microsequence op, an
 * injected crash): thrown out of the program, it leaves the ASC crashed, as the real firmware
 * crashes. A bad pointer crashes the same way, as the {@link kiln.agx.api.silicon.GpuFault} of
 * the firmware's own access.
 */
final class FirmwareCrash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FirmwareCrash(String message) {
        super(message);
    }
}
