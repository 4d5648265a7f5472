package kiln.agx.firmware;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

import kiln.agx.api.firmware.Firmware;
import kiln.agx.api.firmware.FirmwareAbi;
import kiln.agx.api.firmware.FirmwareVersion;
import kiln.agx.api.firmware.SupportedCore;
import kiln.agx.api.hw.GpuGen;
import kiln.agx.api.silicon.AscProgram;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;

/**
 * What a firmware bundle's {@link Firmware} service is made of: its version and supported
 * cores, the layouts {@link AbiCatalog} builds for that version on each supported generation
 * (built once, when the service is created), and a {@link FirmwareRuntime} per device.
 * Subclasses are the bundles' DS components; they only name their version and cores.
 */
public abstract class FirmwareBundle implements Firmware {
    private final FirmwareVersion version;
    private final Set<SupportedCore> supported;
    private final Map<GpuGen, FirmwareAbi> abis = new EnumMap<>(GpuGen.class);

    protected FirmwareBundle(FirmwareVersion version, Set<SupportedCore> supported) {
        this.version = version;
        this.supported = Set.copyOf(supported);
        for (SupportedCore core : supported) {
            abis.computeIfAbsent(core.generation(), g -> AbiCatalog.abi(g, version));
        }
    }

    @Override
    public final FirmwareVersion version() {
        return version;
    }

    @Override
    public final Set<SupportedCore> supportedCores() {
        return supported;
    }

    @Override
    public final FirmwareAbi abi(GpuGen generation) throws DrmException {
        FirmwareAbi abi = abis.get(generation);
        if (abi == null) {
            throw new DrmException(Errno.ENODEV, UNSUPPORTED + " (" + generation + ", " + version + ")");
        }
        return abi;
    }

    @Override
    public final AscProgram program(GpuGen generation) throws DrmException {
        return new FirmwareRuntime(abi(generation), "firmware " + version + " (" + generation + ")");
    }

    @Override
    public String toString() {
        return "firmware " + version + " " + supported;
    }
}
