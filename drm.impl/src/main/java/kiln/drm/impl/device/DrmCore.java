package kiln.drm.impl.device;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.device.DrmDevice;
import kiln.drm.api.device.DrmDeviceFactory;
import kiln.drm.api.driver.DrmDriver;
import kiln.drm.api.ioctl.IoctlDescriptor;
import kiln.drm.api.ioctl.IoctlNumber;
import kiln.drm.impl.gem.GemService;
import kiln.drm.impl.client.FileDescription;
import kiln.drm.impl.syncobj.SyncobjService;

/**
 * The device registry. Minors are the kernel's: primary 0-63, render 128-191, lowest free first.
 * Deactivation unplugs every device.
 */
@Component(service = {DrmDeviceFactory.class, DrmCore.class})
public final class DrmCore implements DrmDeviceFactory {
    static final int MAX_MINORS = 64;
    static final int RENDER_MINOR_BASE = 128;

    private final BundleContext context;
    private final GemService gem;
    private final SyncobjService syncobjs;
    private final BitSet minors = new BitSet(MAX_MINORS);
    private final Map<String, Device> nodes = new ConcurrentHashMap<>();
    private volatile boolean active = true;

    @Activate
    public DrmCore(BundleContext context, @Reference GemService gem, @Reference SyncobjService syncobjs) {
        this.context = context;
        this.gem = gem;
        this.syncobjs = syncobjs;
    }

    @Override
    public DrmDevice register(DrmDriver driver, Map<String, ?> properties) throws DrmException {
        IoctlDescriptor[] ioctls = checkedTable(driver);
        String driverName = driver.info().name();
        Device device;
        synchronized (this) {
            if (!active) {
                throw new DrmException(Errno.ENODEV, "the DRM core is shutting down");
            }
            int index = minors.nextClearBit(0);
            if (index >= MAX_MINORS) {
                throw new DrmException(Errno.ENOSPC, "no free DRM minor");
            }
            minors.set(index);
            device = new Device(this, gem, syncobjs, driver, ioctls, index, RENDER_MINOR_BASE + index);
            nodes.put(device.primaryNode(), device);
            nodes.put(device.renderNode(), device);
        }
        Hashtable<String, Object> props = new Hashtable<>();
        if (properties != null) {
            properties.forEach((k, v) -> {
                if (!k.startsWith("drm.")) {
                    props.put(k, v);
                }
            });
        }
        props.put(DrmDevice.DRIVER_NAME, driverName);
        props.put(DrmDevice.PRIMARY_NODE, device.primaryNode());
        props.put(DrmDevice.PRIMARY_MINOR, device.primaryMinor());
        props.put(DrmDevice.RENDER_NODE, device.renderNode());
        props.put(DrmDevice.RENDER_MINOR, device.renderMinor());
        if (context != null) {
            device.registration = context.registerService(DrmDevice.class, device, props);
        }
        return device;
    }

    /** The Rust macro's compile-time checks, at registration: in order from 0x40, no gaps, fits. */
    private static IoctlDescriptor[] checkedTable(DrmDriver driver) throws DrmException {
        List<IoctlDescriptor> table = driver.ioctls();
        int max = IoctlNumber.DRM_COMMAND_END - IoctlNumber.DRM_COMMAND_BASE;
        if (table.size() > max) {
            throw new DrmException(Errno.EINVAL, driver.info().name() + " declares " + table.size() + " ioctls; at most "
                    + max + " fit");
        }
        IoctlDescriptor[] ioctls = table.toArray(IoctlDescriptor[]::new);
        for (int i = 0; i < ioctls.length; i++) {
            if (IoctlNumber.nr(ioctls[i].cmd()) != IoctlNumber.DRM_COMMAND_BASE + i) {
                throw new DrmException(Errno.EINVAL, driver.info().name() + " ioctl " + ioctls[i].name() + " has nr 0x"
                        + Integer.toHexString(IoctlNumber.nr(ioctls[i].cmd())) + ", expected 0x"
                        + Integer.toHexString(IoctlNumber.DRM_COMMAND_BASE + i));
            }
        }
        return ioctls;
    }

    /** The node {@link #open} takes for a sw_sync timeline ({@code /dev/sw_sync}). */
    public static final String SW_SYNC = "sw_sync";

    /** {@code open("/dev/dri/<node>")}, or of {@link #SW_SYNC}. */
    public FileDescription open(String node, Client client) throws DrmException {
        if (SW_SYNC.equals(node)) {
            return syncobjs.openSwSync(client.name());
        }
        Device device = nodes.get(node);
        if (device == null) {
            throw new DrmException(Errno.ENOENT, "no DRM node " + node);
        }
        return device.open(client, node.equals(device.renderNode()));
    }

    /** The last step of unplug: the nodes disappear and the service goes away. */
    void unregistered(Device device) {
        synchronized (this) {
            nodes.remove(device.primaryNode(), device);
            nodes.remove(device.renderNode(), device);
            minors.clear(device.primaryMinor());
        }
        if (device.registration != null) {
            try {
                device.registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping and withdrew it
            }
        }
    }

    @Override
    public Optional<DrmDevice> node(String name) {
        Device device = nodes.get(name);
        return device == null || device.isUnplugged() ? Optional.empty() : Optional.of(device);
    }

    @Override
    public List<DrmDevice> devices() {
        List<DrmDevice> devices = new ArrayList<>();
        for (Map.Entry<String, Device> e : nodes.entrySet()) {
            if (e.getKey().startsWith("renderD") && !e.getValue().isUnplugged()) {
                devices.add(e.getValue());
            }
        }
        devices.sort((a, b) -> Integer.compare(a.renderMinor(), b.renderMinor()));
        return devices;
    }

    @Deactivate
    void deactivate() {
        active = false;
        for (DrmDevice device : devices()) {
            device.unplug();
        }
    }
}
