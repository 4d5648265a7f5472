package kiln.drm.impl.device;

import kiln.drm.api.DrmException;
import kiln.drm.api.client.Client;
import kiln.drm.api.device.DrmDevice;
import kiln.drm.api.file.DrmFile;
import kiln.drm.impl.client.FileDescription;
import kiln.drm.impl.gem.GemHandles;
import kiln.drm.impl.gem.GemService;
import kiln.drm.impl.syncobj.SyncobjHandles;

/** A {@code struct drm_file}. Released once, in {@code drm_file_free}'s order (see the API package). */
public final class DeviceFile implements DrmFile, FileDescription {
    final Device device;
    private final Client client;
    private final boolean render;
    volatile boolean master;
    /** {@code was_master}: it was master once (SET_MASTER may take it back without privilege). */
    volatile boolean wasMaster;
    /** AUTH_MAGIC (or becoming master) authenticated it. */
    volatile boolean authenticated;
    /** Its GET_MAGIC token, 0 before the first (guarded by the device). */
    int magic;
    /** AUTH_MAGIC used its token (guarded by the device). */
    boolean magicUsed;
    volatile Object driverPrivate;
    private volatile boolean closed;
    private int holders;
    /** The file's GEM handles and PRIME table. */
    public final GemHandles gem = new GemHandles();
    /** The file's syncobj handles. */
    public final SyncobjHandles syncobjs = new SyncobjHandles();

    DeviceFile(Device device, Client client, boolean render) {
        this.device = device;
        this.client = client;
        this.render = render;
    }

    /** {@code ioctl(2)} on this file by {@code caller}, whose memory its pointers address: the one entry of the UAPI path. */
    public int ioctl(Client caller, int cmd, long arg) throws DrmException {
        return device.ioctl(this, caller, cmd, arg);
    }

    /** {@code mmap} on this file: a GEM object by fake offset. */
    public GemService.Mapped mmap(long length, long offset) throws DrmException {
        if (!device.enter()) {
            throw new DrmException(kiln.drm.api.Errno.ENODEV, "device " + device.renderNode() + " is unplugged");
        }
        try {
            return device.gem().mmap(this, length, offset);
        } finally {
            device.exit();
        }
    }

    @Override
    public DrmDevice device() {
        return device;
    }

    @Override
    public Client client() {
        return client;
    }

    @Override
    public Client caller() {
        return kiln.drm.impl.client.Caller.of(this);
    }

    @Override
    public boolean isRender() {
        return render;
    }

    @Override
    public boolean isMaster() {
        return master;
    }

    @Override
    public boolean isAuthenticated() {
        return render || master || authenticated || client.privileged();
    }

    @Override
    public Object driverPrivate() {
        return driverPrivate;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized boolean acquire() {
        if (closed) {
            return false;
        }
        holders++;
        return true;
    }

    /** The last holder's release frees the file ({@code drm_release}); earlier ones only count down. */
    @Override
    public void release() {
        synchronized (this) {
            if (closed || --holders > 0) {
                return;
            }
            closed = true;
        }
        device.release(this);
    }

    @Override
    public String toString() {
        return (render ? device.renderNode() : device.primaryNode()) + " of " + client;
    }
}
