package kiln.drm.impl.device;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.osgi.framework.ServiceRegistration;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.Client;
import kiln.drm.api.device.DrmDevice;
import kiln.drm.api.driver.DriverFeature;
import kiln.drm.api.driver.DriverInfo;
import kiln.drm.api.driver.DrmDriver;
import kiln.drm.api.file.DrmFile;
import kiln.drm.api.ioctl.IoctlDescriptor;
import kiln.drm.api.ioctl.IoctlFlag;
import kiln.drm.api.ioctl.IoctlNumber;
import kiln.drm.impl.gem.GemService;
import kiln.drm.impl.syncobj.SyncobjIoctls;
import kiln.drm.impl.syncobj.SyncobjService;

/**
 * A {@code struct drm_device} and {@code drm_ioctl}. The ioctl tables are arrays resolved at
 * registration; dispatch does no lookup beyond indexing them and takes no lock.
 */
final class Device implements DrmDevice {
    private static final System.Logger LOG = System.getLogger(Device.class.getName());
    private static final int IOC_IN = IoctlNumber.WRITE << 30;
    private static final int IOC_OUT = IoctlNumber.READ << 30;
    private static final int FLAG_AUTH = IoctlFlag.AUTH.bit();
    private static final int FLAG_MASTER = IoctlFlag.MASTER.bit();
    private static final int FLAG_ROOT_ONLY = IoctlFlag.ROOT_ONLY.bit();
    private static final int FLAG_RENDER_ALLOW = IoctlFlag.RENDER_ALLOW.bit();

    private final DrmCore core;
    private final GemService gem;
    private final DrmDriver driver;
    /** What the driver declared at registration; {@code DrmDriver} says these are read once. */
    final DriverInfo info;
    final Set<DriverFeature> features;
    private final IoctlDescriptor[] coreIoctls;
    private final IoctlDescriptor[] driverIoctls;
    private final int primaryMinor;
    private final int renderMinor;
    private final LongAdder inFlight = new LongAdder();
    private final CopyOnWriteArrayList<DeviceFile> files = new CopyOnWriteArrayList<>();
    private volatile boolean unplugged;
    private DeviceFile master;
    ServiceRegistration<DrmDevice> registration;

    Device(DrmCore core, GemService gem, SyncobjService syncobjs, DrmDriver driver, IoctlDescriptor[] driverIoctls, int primaryMinor,
            int renderMinor) {
        this.core = core;
        this.gem = gem;
        this.driver = driver;
        this.info = driver.info();
        this.features = Set.copyOf(driver.features());
        this.coreIoctls = CoreIoctls.table(gem);
        SyncobjIoctls.addTo(coreIoctls, syncobjs);
        FileIoctls.addTo(coreIoctls);
        this.driverIoctls = driverIoctls;
        this.primaryMinor = primaryMinor;
        this.renderMinor = renderMinor;
    }

    int ioctl(DeviceFile file, Client caller, int cmd, long arg) throws DrmException {
        if (!enter()) {
            throw DrmException.quiet(Errno.ENODEV, "device " + renderNode() + " is unplugged");
        }
        try {
            return dispatch(file, caller, cmd, arg);
        } finally {
            exit();
        }
    }

    private int dispatch(DeviceFile file, Client caller, int cmd, long arg) throws DrmException {
        if (IoctlNumber.type(cmd) != IoctlNumber.DRM_IOCTL_BASE) {
            throw DrmException.quiet(Errno.ENOTTY, "not a DRM ioctl: " + IoctlNumber.toString(cmd));
        }
        int nr = IoctlNumber.nr(cmd);
        IoctlDescriptor ioctl;
        if (nr >= IoctlNumber.DRM_COMMAND_BASE && nr < IoctlNumber.DRM_COMMAND_END) {
            int index = nr - IoctlNumber.DRM_COMMAND_BASE;
            ioctl = index < driverIoctls.length ? driverIoctls[index] : null;
        } else {
            ioctl = nr < coreIoctls.length ? coreIoctls[nr] : null;
        }
        if (ioctl == null) {
            throw DrmException.quiet(Errno.EINVAL, "no ioctl " + IoctlNumber.toString(cmd) + " on " + info.name());
        }
        int driverSize = IoctlNumber.size(ioctl.cmd());
        int inSize = (cmd & ioctl.cmd() & IOC_IN) == 0 ? 0 : IoctlNumber.size(cmd);
        int outSize = (cmd & ioctl.cmd() & IOC_OUT) == 0 ? 0 : IoctlNumber.size(cmd);
        // a fresh array is zeroed: the zero-extension of a short client struct costs nothing more
        MemorySegment kdata = MemorySegment.ofArray(new byte[Math.max(Math.max(inSize, outSize), driverSize)]);
        Client client = caller;
        if (inSize > 0) {
            client.memory().copyIn(arg, kdata, 0, inSize);
        }
        DrmException failure = null;
        int result = 0;
        try {
            permit(ioctl, file);
            result = ioctl.handler().handle(file, driverSize == kdata.byteSize() ? kdata : kdata.asSlice(0, driverSize));
        } catch (DrmException e) {
            failure = e;
        } catch (RuntimeException e) {
            // the kernel would oops; Kiln reports the driver bug and answers EIO instead
            LOG.log(System.Logger.Level.ERROR, "ioctl " + ioctl.name() + " failed on " + file, e);
            failure = new DrmException(Errno.EIO, ioctl.name() + " failed: " + e, e);
        }
        if (outSize > 0) {
            client.memory().copyOut(kdata, 0, arg, outSize);
        }
        if (failure != null) {
            throw failure;
        }
        return result;
    }

    /** {@code drm_ioctl_permit}. */
    private static void permit(IoctlDescriptor ioctl, DeviceFile file) throws DrmException {
        int flags = ioctl.flags();
        if ((flags & FLAG_ROOT_ONLY) != 0 && !file.client().privileged()
                || (flags & FLAG_AUTH) != 0 && !file.isAuthenticated()
                || (flags & FLAG_MASTER) != 0 && !file.isMaster()
                || (flags & FLAG_RENDER_ALLOW) == 0 && file.isRender()) {
            throw DrmException.quiet(Errno.EACCES, ioctl.name() + " is not allowed on " + file);
        }
    }

    DeviceFile open(Client client, boolean render) throws DrmException {
        if (!enter()) {
            throw new DrmException(Errno.ENODEV, "device " + renderNode() + " is unplugged");
        }
        try {
            DeviceFile file = new DeviceFile(this, client, render);
            if (!render) {
                synchronized (this) {
                    if (master == null) {
                        master = file;
                        file.master = true;
                        file.wasMaster = true;
                        file.authenticated = true;
                    }
                }
            }
            try {
                file.driverPrivate = driver.open(file);
            } catch (DrmException | RuntimeException e) {
                dropMaster(file);
                throw e instanceof DrmException d ? d : new DrmException(Errno.EIO, "driver open failed: " + e, e);
            }
            files.add(file);
            return file;
        } finally {
            exit();
        }
    }

    GemService gem() {
        return gem;
    }

    /** {@code drm_file_free}'s order: syncobjs, GEM handles, master, postclose, PRIME table. */
    void release(DeviceFile file) {
        file.syncobjs.release();
        file.gem.releaseHandles(file);
        dropMaster(file);
        releaseMagic(file);
        try {
            driver.postclose(file);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "postclose failed on " + file, e);
        }
        file.gem.releasePrime();
        files.remove(file);
    }

    private synchronized void dropMaster(DeviceFile file) {
        if (master == file) {
            master = null;
            file.master = false;
        }
    }

    /** The file's GET_MAGIC token is free again (drm_master_release). */
    private synchronized void releaseMagic(DeviceFile file) {
        if (file.magic != 0) {
            magics.remove(file.magic, file);
        }
    }

    /** GET_MAGIC tokens of the live files that asked for one, cyclic from 1 (guarded by this). */
    private final java.util.Map<Integer, DeviceFile> magics = new java.util.HashMap<>();
    private int nextMagic = 1;

    /** {@code drm_getmagic}: the file's token, made at its first call, reserved until the file closes. */
    synchronized int magicOf(DeviceFile file) {
        if (file.magic == 0) {
            while (nextMagic <= 0 || magics.containsKey(nextMagic)) {
                nextMagic = nextMagic <= 0 ? 1 : nextMagic + 1;
            }
            file.magic = nextMagic++;
            magics.put(file.magic, file);
        }
        return file.magic;
    }

    /** {@code drm_authmagic}: the file holding {@code magic} is authenticated; a token works once. */
    synchronized void authenticate(int magic) throws DrmException {
        DeviceFile file = magics.get(magic);
        if (file == null || file.magicUsed) {
            throw DrmException.quiet(Errno.EINVAL, "no file waits with magic " + magic);
        }
        file.magicUsed = true; // the kernel's idr_replace(NULL): the number stays taken until close
        file.authenticated = true;
    }

    /** {@code drm_master_check_perm}: the file's own former master process, or a privileged caller. */
    private static void masterPermission(DeviceFile file) throws DrmException {
        if (!(file.wasMaster && file.caller() == file.client()) && !file.caller().privileged()) {
            throw DrmException.quiet(Errno.EACCES, "only a privileged caller or the file's former master may change masters");
        }
    }

    /** {@code drm_setmaster_ioctl}. */
    synchronized void setMaster(DeviceFile file) throws DrmException {
        masterPermission(file);
        if (master == file) {
            return;
        }
        if (master != null) {
            throw DrmException.quiet(Errno.EBUSY, "the device has a master");
        }
        master = file;
        file.master = true;
        file.wasMaster = true;
        file.authenticated = true;
    }

    /** {@code drm_dropmaster_ioctl}. */
    synchronized void dropMasterIoctl(DeviceFile file) throws DrmException {
        masterPermission(file);
        if (master != file) {
            throw DrmException.quiet(Errno.EINVAL, file + " is not the master");
        }
        master = null;
        file.master = false;
    }

    @Override
    public String unique() {
        return Long.toHexString(0x206400000L + (long) (renderMinor() - 128) * 0x1000000L) + ".gpu";
    }

    @Override
    public boolean enter() {
        inFlight.increment();
        if (unplugged) {
            inFlight.decrement();
            return false;
        }
        return true;
    }

    @Override
    public void exit() {
        inFlight.decrement();
    }

    @Override
    public void setProperty(String key, Object value) {
        if (key.startsWith("drm.")) {
            throw new IllegalArgumentException("the DRM core owns " + key);
        }
        synchronized (this) {
            if (unplugged || registration == null) {
                return;
            }
            org.osgi.framework.ServiceReference<DrmDevice> ref = registration.getReference();
            java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
            for (String k : ref.getPropertyKeys()) {
                if (!k.equals(org.osgi.framework.Constants.OBJECTCLASS) && !k.equals(org.osgi.framework.Constants.SERVICE_ID)
                        && !k.startsWith("service.")) {
                    props.put(k, ref.getProperty(k));
                }
            }
            props.put(key, value);
            registration.setProperties(props);
        }
    }

    @Override
    public void unplug() {
        synchronized (this) {
            if (unplugged) {
                return;
            }
            unplugged = true;
        }
        // synchronize_srcu: every call that entered before the flag was set finishes first
        while (inFlight.sum() != 0) {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
        core.unregistered(this);
    }

    @Override
    public boolean isUnplugged() {
        return unplugged;
    }

    @Override
    public DrmDriver driver() {
        return driver;
    }

    @Override
    public String primaryNode() {
        return "card" + primaryMinor;
    }

    @Override
    public String renderNode() {
        return "renderD" + renderMinor;
    }

    @Override
    public int primaryMinor() {
        return primaryMinor;
    }

    @Override
    public int renderMinor() {
        return renderMinor;
    }

    @Override
    public List<DrmFile> files() {
        return new ArrayList<>(files);
    }

    @Override
    public String toString() {
        return info.name() + " " + renderNode() + (unplugged ? " (unplugged)" : "");
    }
}
