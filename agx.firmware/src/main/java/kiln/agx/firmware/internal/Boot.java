package kiln.agx.firmware.internal;

import kiln.agx.api.firmware.FirmwareAbi;
import kiln.agx.api.silicon.AscContext;

/** The entry point from the exported runtime into its implementation. */
public final class Boot {
    private Boot() {
    }

    /**
     * One boot of the firmware: returns when halted, throws when it crashes or is stopped. However
     * it ends, the unit work it started is cancelled and over before it returns: a firmware that
     * replaces it must not meet a stale completion.
     */
    public static void run(FirmwareAbi abi, AscContext context, String name) throws InterruptedException {
        Session session = new Session(new Fields(abi), context, name);
        try {
            session.run();
        } finally {
            session.stopUnits();
        }
    }
}
