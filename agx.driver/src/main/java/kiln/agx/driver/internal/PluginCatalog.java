package kiln.agx.driver.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kiln.agx.api.core.GpuCore;
import kiln.agx.api.firmware.Firmware;
import kiln.agx.api.firmware.FirmwareVersion;
import kiln.agx.api.firmware.SupportedCore;
import kiln.agx.api.hw.ChipIdentity;
import kiln.agx.api.hw.HwConfig;

/**
 * The GPU cores and firmware revisions present right now, as the service registry says.
 *
 * <p>Both are dynamic, multiple references: plugin bundles come and go while the driver runs, and
 * the catalog follows them without being reactivated. Each plugin is asked for its description
 * once, when it binds, inside its own try/catch: a plugin that throws is logged and left out, and
 * cannot disturb the others. Readers get immutable snapshots, so nothing outside this class calls
 * into a plugin or sees a half-updated view.
 *
 * <p>Thread-safety: bind and unbind may run on any thread, concurrently with readers.
 */
@Component(service = PluginCatalog.class, immediate = true)
public final class PluginCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(PluginCatalog.class);

    /** A core plugin as bound: its chip and the bundle that provides it. */
    public record CoreEntry(ChipIdentity chip, HwConfig hw, String bundle, long bundleId) { }

    /** A firmware plugin as bound: its version, what it runs on, and the bundle that provides it. */
    public record FirmwareEntry(FirmwareVersion version, Set<SupportedCore> supportedCores, String bundle, long bundleId) {
        public boolean supports(ChipIdentity chip) {
            return supportedCores.contains(new SupportedCore(chip.generation(), chip.variant()));
        }
    }

    private final Map<ServiceReference<?>, CoreEntry> cores = new ConcurrentHashMap<>();
    private final Map<ServiceReference<?>, FirmwareEntry> firmware = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindCore(GpuCore core, ServiceReference<GpuCore> ref) {
        try {
            Bundle b = ref.getBundle();
            CoreEntry entry = new CoreEntry(core.chip(), core.hwConfig(), b.getSymbolicName(), b.getBundleId());
            cores.put(ref, entry);
            LOG.info("GPU core {} ({}) available from {}", entry.chip().chipName(), entry.chip().marketingName(), entry.bundle());
        } catch (RuntimeException e) {
            LOG.warn("GPU core service {} failed to describe itself; ignored", ref, e);
        }
    }

    void unbindCore(GpuCore core, ServiceReference<GpuCore> ref) {
        CoreEntry gone = cores.remove(ref);
        if (gone != null) {
            LOG.info("GPU core {} gone ({} stopped)", gone.chip().chipName(), gone.bundle());
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindFirmware(Firmware fw, ServiceReference<Firmware> ref) {
        try {
            Bundle b = ref.getBundle();
            FirmwareEntry entry = new FirmwareEntry(fw.version(), Set.copyOf(fw.supportedCores()), b.getSymbolicName(), b.getBundleId());
            firmware.put(ref, entry);
            LOG.info("firmware {} available from {}", entry.version(), entry.bundle());
        } catch (RuntimeException e) {
            LOG.warn("firmware service {} failed to describe itself; ignored", ref, e);
        }
    }

    void unbindFirmware(Firmware fw, ServiceReference<Firmware> ref) {
        FirmwareEntry gone = firmware.remove(ref);
        if (gone != null) {
            LOG.info("firmware {} gone ({} stopped)", gone.version(), gone.bundle());
        }
    }

    /** The cores present, ordered by chip name. */
    public List<CoreEntry> cores() {
        return cores.values().stream().sorted(Comparator.comparing(c -> c.chip().chipName())).toList();
    }

    /** The firmware present, newest first. */
    public List<FirmwareEntry> firmware() {
        return firmware.values().stream().sorted(Comparator.comparing(FirmwareEntry::version).reversed()).toList();
    }
}
