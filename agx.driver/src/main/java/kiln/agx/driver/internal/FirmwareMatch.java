package kiln.agx.driver.internal;

import java.util.List;
import java.util.Optional;

import kiln.agx.api.hw.ChipIdentity;
import kiln.agx.driver.internal.PluginCatalog.FirmwareEntry;

/**
 * Which firmware a chip runs when it is not pinned: the newest present firmware that lists the
 * chip's (generation, variant), as in the real driver's probe table (G13 runs 12.3 or 13.2, G14
 * runs 12.4 or 13.2).
 */
public final class FirmwareMatch {
    private FirmwareMatch() {
    }

    /**
     * @param firmware the firmware present, in any order
     * @return the newest compatible one, or empty when none is
     */
    public static Optional<FirmwareEntry> newestFor(ChipIdentity chip, List<FirmwareEntry> firmware) {
        return firmware.stream()
                .filter(fw -> fw.supports(chip))
                .max((a, b) -> a.version().compareTo(b.version()));
    }
}
