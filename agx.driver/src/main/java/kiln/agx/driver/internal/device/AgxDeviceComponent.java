package kiln.agx.driver.internal.device;

import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kiln.agx.api.core.GpuCore;
import kiln.agx.api.firmware.Firmware;
import kiln.agx.api.firmware.FirmwareVersion;
import kiln.agx.api.hw.ChipIdentity;
import kiln.agx.api.silicon.Silicon;
import kiln.agx.api.silicon.SiliconOptions;
import kiln.agx.driver.internal.gpu.AgxGpu;
import kiln.agx.driver.internal.uapi.AsahiDriver;
import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.device.DrmDevice;
import kiln.drm.api.device.DrmDeviceFactory;
import kiln.drm.api.gem.GemManager;
import kiln.drm.api.memory.PhysicalMemory;
import kiln.drm.api.mm.RangeAllocatorFactory;
import kiln.drm.api.fence.FenceFactory;
import kiln.drm.api.sched.SchedulerFactory;
import kiln.drm.api.syncobj.SyncObjManager;

/**
 * One declared AGX device: binds when a {@link GpuCore} for its chip and a supporting
 * {@link Firmware} are present, probes, and registers the DRM device.
 *
 * <h2>Matching</h2>
 * Immediate: a declared device probes as soon as it can, whether or not anyone looks at it.
 * Cores and firmware are dynamic, greedy, multiple references: every change re-evaluates the
 * device on its own single control thread (never on the registry's thread, never per ioctl).
 * Unpinned, the newest firmware that lists the core's (generation, variant) wins. Pinned
 * ({@code firmware.compat}), only that version is considered; if it is present but does not
 * support the core the device is {@link DeviceState#UNSUPPORTED} with the real driver's answer
 * (ENODEV "Unsupported GPU/firmware combination"). Otherwise the device waits and says for what.
 *
 * <h2>Losing a plugin</h2>
 * If the bound core goes away, or the bound firmware goes away, the DRM device is unplugged and
 * the GPU powered off; the device then waits or re-probes with what is left. (Live firmware swap
 * without unplugging is issue 7.)
 */
@Component(service = AgxDevice.class, immediate = true, configurationPid = AgxDeviceComponent.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = DeviceConfig.class, factory = true)
public final class AgxDeviceComponent implements AgxDevice {
    /** The factory PID of device declarations. */
    public static final String FACTORY_PID = "kiln.agx.device";
    private static final Logger LOG = LoggerFactory.getLogger(AgxDeviceComponent.class);

    private final DeviceConfig config;
    private final String name;
    private final PhysicalMemory memory;
    private final DrmDeviceFactory drm;
    private final AsahiDriver.Services services;
    private final Map<GpuCore, Boolean> cores = new ConcurrentHashMap<>();
    private final Map<Firmware, Boolean> firmware = new ConcurrentHashMap<>();
    private final ExecutorService control;
    private volatile DeviceStatus status;
    // owned by the control thread
    private GpuCore boundCore;
    private Firmware boundFirmware;
    private AgxGpu gpu;
    private DrmDevice device;

    @Activate
    public AgxDeviceComponent(DeviceConfig config, @Reference PhysicalMemory memory, @Reference DrmDeviceFactory drm,
            @Reference GemManager gem, @Reference RangeAllocatorFactory ranges, @Reference SchedulerFactory schedulers,
            @Reference FenceFactory fences, @Reference SyncObjManager syncobjs) {
        this.services = new AsahiDriver.Services(gem, ranges, schedulers, fences, syncobjs);
        this.config = config;
        this.name = config.name().isBlank() ? config.compatible().replace(ChipIdentity.COMPATIBLE_PREFIX, "") : config.name();
        this.memory = memory;
        this.drm = drm;
        this.status = status(DeviceState.WAITING_FOR_CORE, "no GPU core for " + config.compatible(), "", "");
        this.control = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "agx-" + name + "-control");
            t.setDaemon(true);
            return t;
        });
        control.execute(this::evaluate);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindCore(GpuCore core) {
        cores.put(core, Boolean.TRUE);
        changed();
    }

    void unbindCore(GpuCore core) {
        cores.remove(core);
        changed();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindFirmware(Firmware fw) {
        firmware.put(fw, Boolean.TRUE);
        changed();
    }

    void unbindFirmware(Firmware fw) {
        firmware.remove(fw);
        changed();
    }

    private void changed() {
        ExecutorService c = control;
        if (c != null && !c.isShutdown()) {
            c.execute(this::evaluate);
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        control.execute(this::teardown);
        control.shutdown();
        if (!control.awaitTermination(30, TimeUnit.SECONDS)) {
            LOG.warn("device {}: teardown did not finish in 30 s", name);
        }
    }

    private DeviceStatus status(DeviceState state, String reason, String fw, String node) {
        return new DeviceStatus(name, config.compatible(), config.firmware_compat(), state, reason, fw, node);
    }

    /** Re-evaluates the device (control thread only). */
    private void evaluate() {
        try {
            GpuCore core = cores.keySet().stream().filter(c -> c.chip().compatible().equals(config.compatible()))
                    .findFirst().orElse(null);
            if (gpu != null) {
                if (core == boundCore && firmware.containsKey(boundFirmware) && !newerFirmwareWhileIdle(core.chip())) {
                    return;
                }
                LOG.info("device {}: {}; unplugging", name, core != boundCore ? "its GPU core went away"
                        : !firmware.containsKey(boundFirmware) ? "its firmware went away" : "newer firmware while idle");
                teardown();
            }
            if (core == null) {
                status = status(DeviceState.WAITING_FOR_CORE, "no GPU core for " + config.compatible(), "", "");
                return;
            }
            ChipIdentity chip = core.chip();
            Firmware fw = choose(chip);
            if (fw == null) {
                return;
            }
            probe(core, fw);
        } catch (RuntimeException e) {
            LOG.error("device {}: evaluation failed", name, e);
            status = status(DeviceState.FAILED, String.valueOf(e), "", "");
        }
    }

    /**
     * Whether an unpinned device that no client has open should move to a newer compatible
     * firmware that arrived after it probed (start-up order decides which firmware comes first).
     * Moving a device in use is the live swap's job (issue 7).
     */
    private boolean newerFirmwareWhileIdle(ChipIdentity chip) {
        if (!config.firmware_compat().isBlank() || device == null || !device.files().isEmpty()) {
            return false;
        }
        Firmware newest = choose(chip);
        return newest != null && newest.version().compareTo(boundFirmware.version()) > 0;
    }

    /** The firmware to run, or null with the status saying why not. */
    private Firmware choose(ChipIdentity chip) {
        String pin = config.firmware_compat().strip();
        if (!pin.isEmpty()) {
            FirmwareVersion wanted = FirmwareVersion.parse(pin);
            Firmware pinned = firmware.keySet().stream().filter(f -> f.version().equals(wanted)).findFirst().orElse(null);
            if (pinned == null) {
                status = status(DeviceState.WAITING_FOR_FIRMWARE, "pinned firmware " + wanted + " not present", "", "");
                return null;
            }
            if (!pinned.supports(chip.generation(), chip.variant())) {
                status = status(DeviceState.UNSUPPORTED, "ENODEV: " + Firmware.UNSUPPORTED + " (" + chip.generation() + ", "
                        + chip.variant() + ", " + wanted + ")", "", "");
                return null;
            }
            return pinned;
        }
        Firmware newest = firmware.keySet().stream().filter(f -> f.supports(chip.generation(), chip.variant()))
                .max((a, b) -> a.version().compareTo(b.version())).orElse(null);
        if (newest == null) {
            status = status(DeviceState.WAITING_FOR_FIRMWARE, "no firmware supports " + chip.generation() + chip.variant(), "", "");
        }
        return newest;
    }

    private void probe(GpuCore core, Firmware fw) {
        status = status(DeviceState.PROBING, "booting firmware " + fw.version(), fw.version().toString(), "");
        try {
            Silicon silicon = core.powerOn(memory, SiliconOptions.defaults().withHostWorkers(config.host_workers()));
            AgxGpu probed = AgxGpu.probe(core.hwConfig(), silicon, fw, memory, config.hang_timeout_ms());
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(NAME, name);
            props.put(GpuCore.COMPATIBLE, core.chip().compatible());
            props.put(GpuCore.GENERATION, core.chip().generation().name());
            props.put(GpuCore.VARIANT, core.chip().variant().name());
            props.put(Firmware.VERSION, fw.version().toString());
            DrmDevice registered;
            try {
                registered = drm.register(new AsahiDriver(probed, services), props);
            } catch (DrmException e) {
                probed.close();
                throw e;
            }
            gpu = probed;
            device = registered;
            boundCore = core;
            boundFirmware = fw;
            status = status(DeviceState.RUNNING, "", fw.version().toString(), registered.renderNode());
            LOG.info("device {}: {} running firmware {} at {}", name, core.chip().chipName(), fw.version(),
                    registered.renderNode());
        } catch (DrmException e) {
            DeviceState state = e.errno() == Errno.ENODEV ? DeviceState.UNSUPPORTED : DeviceState.FAILED;
            status = status(state, e.errno() + ": " + e.getMessage(), fw.version().toString(), "");
            LOG.warn("device {}: probe failed: {}", name, e.getMessage());
        }
    }

    /** Unplugs the DRM device and powers off (control thread only). */
    private void teardown() {
        if (device != null) {
            device.unplug();
            device = null;
        }
        if (gpu != null) {
            gpu.close();
            gpu = null;
        }
        boundCore = null;
        boundFirmware = null;
        status = status(DeviceState.WAITING_FOR_CORE, "stopped", "", "");
    }

    @Override
    public DeviceStatus status() {
        return status;
    }

    @Override
    public Optional<AgxGpu> gpu() {
        return Optional.ofNullable(gpu);
    }

    @Override
    public Optional<DrmDevice> drmDevice() {
        return Optional.ofNullable(device);
    }
}
