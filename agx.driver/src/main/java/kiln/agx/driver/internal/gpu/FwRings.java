package kiln.agx.driver.internal.gpu;

import kiln.agx.api.firmware.FirmwareProtocol;
import kiln.agx.api.firmware.PipeType;

/**
 * Every channel the driver shares with the firmware, as InitData points at them.
 *
 * @param pipes         per pipe type and priority: where {@code RunWorkQueueMsg}s go
 * @param deviceControl device-control messages (AP to firmware)
 * @param fwCtl         firmware-control (cache flush) messages (AP to firmware)
 * @param event         events (firmware to AP)
 * @param fwLog         firmware log lines (firmware to AP)
 * @param stats         statistics samples (firmware to AP)
 */
public record FwRings(Ring[][] pipes, Ring deviceControl, Ring fwCtl, Ring event, Ring fwLog, Ring stats) {
    public Ring pipe(PipeType type, int priority) {
        return pipes[type.ordinal()][priority];
    }

    static Ring[][] pipeArray() {
        return new Ring[PipeType.values().length][FirmwareProtocol.PRIORITIES];
    }
}
