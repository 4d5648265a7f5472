package kiln.agx.driver.internal.shell;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import kiln.agx.api.hw.ChipIdentity;
import kiln.agx.driver.internal.device.AgxDevice;
import kiln.agx.driver.internal.device.AgxDeviceComponent;
import kiln.agx.driver.internal.device.DeviceState;
import kiln.agx.driver.internal.device.DeviceStatus;
import kiln.agx.driver.internal.gpu.FirmwareSwap;
import kiln.agx.driver.internal.uapi.ParamsView;
import kiln.agx.driver.internal.gpu.Vm;
import kiln.agx.driver.internal.uapi.AsahiFile;
import kiln.runtime.support.shell.Table;

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
        "osgi.command.function=params",
        "osgi.command.function=attach",
        "osgi.command.function=detach",
        "osgi.command.function=vms",
        "osgi.command.function=queues",
        "osgi.command.function=resources",
        "osgi.command.function=swap",
        "osgi.command.function=history",
        "osgi.command.function=inject"})
public final class AgxCommands {
    private final PluginCatalog catalog;
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<AgxDevice> devices;

    private final ConfigurationAdmin admin;

    @Activate
    public AgxCommands(@Reference PluginCatalog catalog, @Reference ConfigurationAdmin admin) {
        this.catalog = catalog;
        this.admin = admin;
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
        Table table = new Table("version", "supports", "bundle", "bundle_id", "running_on");
        for (FirmwareEntry fw : catalog.firmware()) {
            List<String> runningOn = devices.stream().map(AgxDevice::status)
                    .filter(d -> d.state() == DeviceState.RUNNING && d.firmware().equals(fw.version().toString()))
                    .map(DeviceStatus::name).sorted().toList();
            table.row(fw.version().toString(), fw.supportedCores().stream().map(Object::toString).sorted().toList(),
                    fw.bundle(), fw.bundleId(), runningOn);
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

    @Descriptor("move a running device to another firmware live: its work, clients, handles, VMs and queues carry on")
    public String swap(@Descriptor("the device's name, e.g. t8103") String device,
            @Descriptor("the firmware version, e.g. 12.3") String version) {
        FirmwareSwap done = device(device).swap(version);
        return device + ": firmware " + done.from() + " -> " + done.to() + ", " + done.queues() + " queues rebuilt, "
                + done.replayed() + " commands replayed, " + done.failed() + " failed, " + done.downtime().toNanos() / 1000
                + " us without firmware";
    }

    @Descriptor("show a running device's firmware swaps: when, from, to, time without firmware, queues rebuilt, commands replayed and failed, outcome")
    public String history(
            @Descriptor("print JSON instead of a table") @Parameter(names = "--json", absentValue = "false", presentValue = "true") boolean json,
            @Descriptor("the device's name, e.g. t8103") String device) {
        Table table = new Table("at", "reason", "from", "to", "downtime_us", "queues", "replayed", "failed", "outcome");
        for (FirmwareSwap s : device(device).history()) {
            table.row(s.at().toString(), s.reason(), s.from(), s.to(), s.downtime().toNanos() / 1000, s.queues(), s.replayed(),
                    s.failed(), s.outcome());
        }
        return json ? table.toJson() : table.render();
    }

    @Descriptor("inject a fault into a running device; Kiln then recovers it through the firmware-swap path")
    public String inject(@Descriptor("the fault: firmware-crash, firmware-hang, gpu-hang, mmu-fault or memory-exhaustion (2 s)") String fault,
            @Descriptor("the device's name, e.g. t8103") String device) {
        device(device).inject(fault);
        return "injected " + fault + " into " + device;
    }

    private AgxDevice device(String name) {
        return devices.stream().filter(x -> x.status().name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no device " + name + "; agx:devices lists them"));
    }

    @Descriptor("show what each running device holds: kernel (firmware-shared) memory, event slots, UAT slots, physical memory")
    public String resources(
            @Descriptor("print JSON instead of a table") @Parameter(names = "--json", absentValue = "false", presentValue = "true") boolean json) {
        Table table = new Table("device", "kernel_mapped_bytes", "kernel_live_bytes", "kernel_live_objects", "event_slots",
                "vm_slots", "physical_used_bytes");
        devices.stream().sorted(java.util.Comparator.comparing(d -> d.status().name())).forEach(d -> d.gpu().ifPresent(gpu ->
                table.row(d.status().name(), gpu.kernel().mappedBytes(), gpu.kernel().liveBytes(), gpu.kernel().liveObjects(),
                        gpu.events().inUse(), gpu.slots().inUse(), gpu.memory().usedBytes())));
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

    @Descriptor("declare a device (kept across restarts): it binds when its core and a compatible firmware are present")
    public String attach(
            @Descriptor("the device's name (default: the chip)") @Parameter(names = "--name", absentValue = "") String name,
            @Descriptor("pin a firmware version, e.g. 13.2") @Parameter(names = "--firmware", absentValue = "") String firmware,
            @Descriptor("the chip: t8103, t6000, t6001, t6002, t8112 (or its compatible string)") String chip)
            throws java.io.IOException, org.osgi.framework.InvalidSyntaxException {
        String compatible = chip.startsWith(ChipIdentity.COMPATIBLE_PREFIX) ? chip : ChipIdentity.COMPATIBLE_PREFIX + chip;
        String device = name.isBlank() ? compatible.substring(ChipIdentity.COMPATIBLE_PREFIX.length()) : name;
        if (!device.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("a device name is letters, digits, '.', '_' and '-': " + device);
        }
        if (!firmware.isBlank()) {
            kiln.agx.api.firmware.FirmwareVersion.parse(firmware);
        }
        if (declaration(device) != null) {
            throw new IllegalArgumentException("a device " + device + " is already declared");
        }
        Configuration c = admin.getFactoryConfiguration(AgxDeviceComponent.FACTORY_PID, device, "?");
        java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
        props.put("name", device);
        props.put("compatible", compatible);
        if (!firmware.isBlank()) {
            props.put("firmware.compat", firmware);
        }
        c.update(props);
        return "declared " + device + " (" + compatible + (firmware.isBlank() ? "" : ", firmware " + firmware)
                + "); agx:devices shows its state";
    }

    @Descriptor("remove a device's declaration: its DRM device is unplugged and it is not declared on the next start")
    public String detach(@Descriptor("the device's name") String device)
            throws java.io.IOException, org.osgi.framework.InvalidSyntaxException {
        Configuration c = declaration(device);
        if (c == null) {
            throw new IllegalArgumentException("no device " + device + " is declared; agx:devices lists them");
        }
        c.delete();
        return "detached " + device;
    }

    private Configuration declaration(String device) throws java.io.IOException, org.osgi.framework.InvalidSyntaxException {
        Configuration[] found = admin.listConfigurations("(&(service.factoryPid=" + AgxDeviceComponent.FACTORY_PID
                + ")(name=" + device + "))");
        return found == null || found.length == 0 ? null : found[0];
    }

    /** An open asahi file, with the name of its device and the client that holds it. */
    private record OpenFile(String device, String client, AsahiFile file) {
    }

    private List<OpenFile> openFiles() {
        List<OpenFile> out = new ArrayList<>();
        for (AgxDevice d : devices) {
            d.drmDevice().ifPresent(drm -> drm.files().forEach(f -> {
                if (f.driverPrivate() instanceof AsahiFile af && !f.isClosed()) {
                    out.add(new OpenFile(d.status().name(), f.client().pid() + " " + f.client().name(), af));
                }
            }));
        }
        return out;
    }

    @Descriptor("list the GPU VMs of every client: id, UAT slot, the client's mappings and what the kernel maps in its window")
    public String vms(
            @Descriptor("print JSON instead of a table") @Parameter(names = "--json", absentValue = "false", presentValue = "true") boolean json) {
        Table table = new Table("device", "client", "vm", "uat_slot", "mappings", "mapped_bytes", "kernel_bytes");
        for (OpenFile f : openFiles()) {
            for (Vm vm : f.file().vms()) {
                long mappings = 0, user = 0, kernel = 0;
                for (Vm.Mapping m : vm.mappings()) {
                    if (m.va() >= Vm.KERNEL_START) {
                        kernel += m.size();
                    } else {
                        mappings++;
                        user += m.size();
                    }
                }
                table.row(f.device(), f.client(), vm.id(), vm.slot(), mappings, user, kernel);
            }
        }
        return json ? table.toJson() : table.render();
    }

    @Descriptor("list the queues of every client: VM, capabilities, priority, firmware work queues and TVB heap size")
    public String queues(
            @Descriptor("print JSON instead of a table") @Parameter(names = "--json", absentValue = "false", presentValue = "true") boolean json) {
        Table table = new Table("device", "client", "queue", "vm", "caps", "priority", "work_queues", "tvb_bytes");
        for (OpenFile f : openFiles()) {
            for (var q : f.file().queueViews()) {
                table.row(f.device(), f.client(), q.id(), q.vm(), "0x" + Integer.toHexString(q.caps()), q.priority(),
                        q.workQueues(), q.tvbBytes());
            }
        }
        return json ? table.toJson() : table.render();
    }
}
