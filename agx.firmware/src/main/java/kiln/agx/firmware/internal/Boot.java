package kiln.agx.firmware.internal;

import kiln.agx.api.firmware.FirmwareAbi;
import kiln.agx.api.silicon.AscContext;

/** The entry point from the exported runtime into its implementation. */
public final class Boot {
    private Boot() {
    }

    /** One boot of the firmware: returns when halted, throws when it crashes. */
    public static void run(FirmwareAbi abi, AscContext context, String name) throws InterruptedException {
        new Session(new Fields(abi), context, name).run();
    }
}
