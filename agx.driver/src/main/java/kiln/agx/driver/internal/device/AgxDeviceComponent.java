package kiln.agx.driver.internal.device;

import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
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
import kiln.agx.driver.internal.gpu.FirmwareSwap;
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
    /** EventAdmin topic of each firmware swap, refused swap, failed swap and crash recovery. */
    public static final String SWAP_TOPIC = "kiln/agx/firmware/SWAPPED";
    /** EventAdmin topic of a device left without firmware. */
    public static final String PARKED_TOPIC = "kiln/agx/firmware/PARKED";
    private static final Logger LOG = LoggerFactory.getLogger(AgxDeviceComponent.class);

    private final DeviceConfig config;
    private final String name;
    private final PhysicalMemory memory;
    private final DrmDeviceFactory drm;
    private final AsahiDriver.Services services;
    private final Map<GpuCore, Boolean> cores = new ConcurrentHashMap<>();
    private final Map<Firmware, Boolean> firmware = new ConcurrentHashMap<>();
    private final ExecutorService control;
    private final Bundle framework;
    /** Where swaps are published (optional: without EventAdmin they are only logged and kept in the history). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile EventAdmin events;
    private volatile DeviceStatus status;
    // owned by the control thread
    private GpuCore boundCore;
    private Firmware boundFirmware;
    private AgxGpu gpu;
    private DrmDevice device;

    @Activate
    public AgxDeviceComponent(DeviceConfig config, BundleContext context, @Reference PhysicalMemory memory,
            @Reference DrmDeviceFactory drm, @Reference GemManager gem, @Reference RangeAllocatorFactory ranges,
            @Reference SchedulerFactory schedulers, @Reference FenceFactory fences, @Reference SyncObjManager syncobjs) {
        this.framework = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
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
                if (core != boundCore) {
                    LOG.info("device {}: its GPU core went away; unplugging", name);
                    teardown();
                } else if (gpu.crashed()) {
                    // unlike the real driver (reboot needed), restart the firmware through the swap path
                    Firmware target = firmware.containsKey(boundFirmware) ? boundFirmware : choose(core.chip());
                    if (target != null && liveSwap(target, "crash recovery")) {
                        return;
                    }
                    if (gpu != null) {
                        LOG.info("device {}: the GPU is gone; unplugging to probe again", name);
                        teardown();
                    }
                } else {
                    boolean parked = gpu.parked();
                    boolean gone = !firmware.containsKey(boundFirmware);
                    Firmware target = swapTarget(core.chip());
                    if (target == null) {
                        return;
                    }
                    if (liveSwap(target, parked ? "firmware " + target.version() + " arrived"
                            : gone ? "firmware " + boundFirmware.version() + " went away" : "newer firmware " + target.version())) {
                        return;
                    }
                }
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
     * The firmware a running device should move to now, or null to stay: a replacement when its
     * firmware went away; the newest compatible one when it is unpinned, follows the newest and a
     * newer one arrived. With its firmware gone and none to replace it, the device is unplugged
     * (the caller probes again once one arrives).
     */
    private Firmware swapTarget(ChipIdentity chip) {
        boolean gone = gpu.parked() || !firmware.containsKey(boundFirmware);
        boolean follow = config.firmware_compat().isBlank() && config.follow_newest_firmware();
        if (!gone && !follow) {
            return null;
        }
        DeviceStatus before = status;
        Firmware best = choose(chip);
        if (best == null) {
            // choose's reason is for a device with no GPU; a parked one keeps saying it holds work
            // (a second firmware leaving after the park used to overwrite that)
            status = before;
            if (!gpu.parked()) {
                park();
            }
            return null;
        }
        if (!gpu.parked() && (best == boundFirmware || !gone && best.version().compareTo(boundFirmware.version()) <= 0)) {
            return null;
        }
        return best;
    }

    /** No firmware can replace the one that went: stop it and hold the work until one arrives. */
    private void park() {
        try {
            gpu.parkFirmware(Duration.ofMillis(config.swap_drain_ms()));
            status = status(DeviceState.WAITING_FOR_FIRMWARE, "no compatible firmware; holding submitted work for up to "
                    + config.no_firmware_deadline_ms() + " ms each", "", device.renderNode());
            LOG.info("device {}: no compatible firmware; work waits for one", name);
        } catch (DrmException e) {
            LOG.warn("device {}: cannot stop the firmware yet: {}", name, e.getMessage());
            CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS, control).execute(this::evaluate);
        }
    }

    /**
     * Swaps the running GPU to {@code target} (control thread only); true if it runs it now.
     * A failure (the GPU is gone) unplugs the device for a fresh probe.
     */
    private boolean liveSwap(Firmware target, String reason) {
        try {
            FirmwareSwap done = gpu.swapFirmware(target, Duration.ofMillis(config.swap_drain_ms()), reason);
            boundFirmware = target;
            device.setProperty(Firmware.VERSION, target.version().toString());
            status = status(DeviceState.RUNNING, "", target.version().toString(), device.renderNode());
            LOG.info("device {}: firmware {} -> {} live ({} us without firmware, {} queues, {} commands replayed, {} failed)",
                    name, done.from(), done.to(), done.downtime().toNanos() / 1000, done.queues(), done.replayed(), done.failed());
            return true;
        } catch (DrmException e) {
            LOG.error("device {}: swap to {} failed ({}); unplugging to probe again", name, target.version(), e.getMessage());
            teardown();
            return false;
        }
    }

    @Override
    public FirmwareSwap swap(String version) {
        FirmwareVersion wanted = FirmwareVersion.parse(version);
        try {
            return CompletableFuture.supplyAsync(() -> {
                if (gpu == null) {
                    throw new IllegalStateException(name + " is not running: " + status.reason());
                }
                String pin = config.firmware_compat().strip();
                if (!pin.isEmpty() && !FirmwareVersion.parse(pin).equals(wanted)) {
                    throw new IllegalStateException(name + " is pinned to firmware " + pin);
                }
                ChipIdentity chip = boundCore.chip();
                Firmware target = firmware.keySet().stream().filter(f -> f.version().equals(wanted)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no firmware " + wanted + "; agx:fw lists them"));
                if (!target.supports(chip.generation(), chip.variant())) {
                    throw new IllegalArgumentException("ENODEV: " + Firmware.UNSUPPORTED + " (" + chip.generation() + ", " + wanted + ")");
                }
                if (target == boundFirmware) {
                    throw new IllegalStateException(name + " already runs firmware " + wanted);
                }
                try {
                    FirmwareSwap done = gpu.swapFirmware(target, Duration.ofMillis(config.swap_drain_ms()), "agx:swap");
                    boundFirmware = target;
                    device.setProperty(Firmware.VERSION, target.version().toString());
                    status = status(DeviceState.RUNNING, "", target.version().toString(), device.renderNode());
                    return done;
                } catch (DrmException e) {
                    teardown();
                    control.execute(this::evaluate);
                    throw new IllegalStateException("swap to " + wanted + " failed: " + e.errno() + ": " + e.getMessage());
                }
            }, control).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /**
     * Posts {@code swap} on {@link #SWAP_TOPIC} (or {@link #PARKED_TOPIC}) with the device's name
     * and the swap's fields as properties: {@code device}, {@code reason}, {@code from},
     * {@code to}, {@code downtime.us}, {@code queues}, {@code replayed}, {@code failed}, {@code outcome}.
     */
    private void publish(FirmwareSwap swap) {
        EventAdmin admin = events;
        // nothing while the framework stops: its firmware bundles go first, and EventAdmin would be
        // interrupted delivering what devices say about it
        if (admin == null || framework == null || framework.getState() == Bundle.STOPPING) {
            return;
        }
        Map<String, Object> props = new java.util.HashMap<>();
        props.put("device", name);
        props.put("reason", swap.reason());
        props.put("from", swap.from());
        props.put("to", swap.to());
        props.put("downtime.us", swap.downtime().toNanos() / 1000);
        props.put("queues", swap.queues());
        props.put("replayed", swap.replayed());
        props.put("failed", swap.failed());
        props.put("outcome", swap.outcome());
        admin.postEvent(new Event("parked".equals(swap.outcome()) ? PARKED_TOPIC : SWAP_TOPIC, props));
    }

    @Override
    public void inject(String fault) {
        AgxGpu g = gpu;
        if (g == null) {
            throw new IllegalStateException(name + " is not running: " + status.reason());
        }
        try {
            switch (fault) {
                case "firmware-crash" -> g.injectFirmwareCrash();
                case "firmware-hang" -> g.injectFirmwareHang();
                case "gpu-hang" -> g.injectGpuHang();
                case "memory-exhaustion" -> g.injectMemoryExhaustion(Duration.ofSeconds(2));
                case "mmu-fault" -> g.injectMmuFault();
                default -> throw new IllegalArgumentException("unknown fault " + fault
                        + "; one of: firmware-crash, firmware-hang, gpu-hang, mmu-fault, memory-exhaustion");
            }
        } catch (DrmException e) {
            throw new IllegalStateException("injecting " + fault + ": " + e.errno() + ": " + e.getMessage());
        }
    }

    @Override
    public java.util.List<FirmwareSwap> history() {
        AgxGpu g = gpu;
        return g == null ? java.util.List.of() : g.history();
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
            props.put(DrmDevice.OF_COMPATIBLE, core.chip().compatible()); // what sysfs shows native programs
            props.put(GpuCore.GENERATION, core.chip().generation().name());
            props.put(GpuCore.VARIANT, core.chip().variant().name());
            props.put(Firmware.VERSION, fw.version().toString());
            DrmDevice registered;
            // the GPU is ready before its DRM device is visible: whoever reacts to the device's
            // service (synchronously, during register) finds it running
            gpu = probed;
            try {
                registered = drm.register(new AsahiDriver(probed, services), props);
            } catch (DrmException e) {
                gpu = null;
                probed.close();
                throw e;
            }
            device = registered;
            probed.onCrash(this::changed);
            probed.onSwap(this::publish);
            probed.noFirmwareDeadline(Duration.ofMillis(config.no_firmware_deadline_ms()));
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
