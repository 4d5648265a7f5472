package kiln.agx.driver.internal.shell;

import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import kiln.agx.driver.internal.device.AgxDevice;
import kiln.agx.driver.internal.device.DeviceStatus;
import kiln.agx.driver.internal.uapi.ParamsView;

import kiln.agx.driver.internal.FirmwareMatch;
import kiln.agx.driver.internal.PluginCatalog;
import kiln.agx.driver.internal.PluginCatalog.CoreEntry;
import kiln.agx.driver.internal.PluginCatalog.FirmwareEntry;

/**
 * The {@code agx:} Gogo commands. Every command returns text: an aligned table by default, JSON
 * with {@code --json}.
 */
@Component(service = AgxCommands.class, property = {
        "osgi.command.scope=agx",
        "osgi.command.function=cores",
        "osgi.command.function=fw",
        "osgi.command.function=devices",
        "osgi.command.function=params"})
public final class AgxCommands {
    private final PluginCatalog catalog;
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<AgxDevice> devices;

    @Activate
    public AgxCommands(@Reference PluginCatalog catalog) {
        this.catalog = catalog;
    }

    @Descriptor("list the GPU cores present (one per chip a core bundle provides) and the firmware each would run")
    public String cores(
            @Descriptor("print JSON instead of a table") @Parameter(names = "--json", absentValue = "false", presentValue = "true") boolean json) {
        List<FirmwareEntry> firmware = catalog.firmware();
        Table table = new Table("chip", "compatible", "chip_id", "gen", "variant", "rev", "name", "dies", "clusters",
                "cores_per_cluster", "max_mhz", "bundle", "firmware");
        for (CoreEntry core : catalog.cores()) {
            var chip = core.chip();
            var hw = core.hw();
            table.row(chip.chipName(), chip.compatible(), String.format("0x%04x", chip.chipId()), chip.generation(),
                    chip.variant(), hw.revision(), chip.marketingName(), hw.dies(), hw.maxClusters(), hw.maxCoresPerCluster(),
                    hw.maxFrequencyHz() / 1_000_000, core.bundle(),
                    FirmwareMatch.newestFor(chip, firmware).map(fw -> fw.version().toString()).orElse("none compatible"));
        }
        return json ? table.toJson() : table.render();
    }

    @Descriptor("list the firmware revisions present, newest first, with the cores each supports")
    public String fw(
            @Descriptor("print JSON instead of a table") @Parameter(names = "--json", absentValue = "false", presentValue = "true") boolean json) {
        Table table = new Table("version", "supports", "bundle", "bundle_id");
        for (FirmwareEntry fw : catalog.firmware()) {
            table.row(fw.version().toString(), fw.supportedCores().stream().map(Object::toString).sorted().toList(),
                    fw.bundle(), fw.bundleId());
        }
        return json ? table.toJson() : table.render();
    }

    @Descriptor("list the declared AGX devices: chip, firmware, state and why, DRM node")
    public String devices(
            @Descriptor("print JSON instead of a table") @Parameter(names = "--json", absentValue = "false", presentValue = "true") boolean json) {
        Table table = new Table("name", "compatible", "pin", "state", "firmware", "node", "why");
        devices.stream().map(AgxDevice::status).sorted(java.util.Comparator.comparing(DeviceStatus::name))
                .forEach(d -> table.row(d.name(), d.compatible(), d.pin().isEmpty() ? "-" : d.pin(), d.state(),
                        d.firmware().isEmpty() ? "-" : d.firmware(), d.node().isEmpty() ? "-" : d.node(),
                        d.reason().isEmpty() ? "-" : d.reason()));
        return json ? table.toJson() : table.render();
    }

    @Descriptor("show what DRM_IOCTL_ASAHI_GET_PARAMS reports for a running device")
    public String params(
            @Descriptor("print JSON instead of a table") @Parameter(names = "--json", absentValue = "false", presentValue = "true") boolean json,
            @Descriptor("the device's name, e.g. t8103") String device) {
        AgxDevice d = devices.stream().filter(x -> x.status().name().equals(device)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no device " + device + "; agx:devices lists them"));
        var gpu = d.gpu().orElseThrow(() -> new IllegalStateException(device + " is not running: " + d.status().reason()));
        Table table = new Table("param", "value");
        ParamsView.of(gpu).forEach(table::row);
        return json ? table.toJson() : table.render();
    }
}
