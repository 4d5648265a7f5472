package kiln.agx.client.drm;

import kiln.agx.api.uapi.AsahiIoctl;
import kiln.agx.api.uapi.AsahiUapi;
import kiln.agx.api.uapi.UapiStruct;
import kiln.drm.api.DrmException;
import kiln.drm.api.client.AddressSpace;
import kiln.drm.api.client.Client;

/**
 * An open asahi render node, with typed wrappers over its ioctls (the role of libdrm's
 * {@code asahi} helpers): each call encodes the UAPI struct in the client's own memory, issues
 * the ioctl by number and decodes the answer, so everything goes the path any client's does.
 * Errors arrive as the ioctl's {@link DrmException}. One argument buffer per device: not
 * thread-safe; open one per thread.
 */
public final class AsahiDevice implements AutoCloseable {
    private static final int ARG_BYTES = 256;
    private final Client client;
    private final int fd;
    private final AddressSpace memory;
    private final long arg;

    private AsahiDevice(Client client, int fd) throws DrmException {
        this.client = client;
        this.fd = fd;
        this.memory = client.memory();
        this.arg = memory.map(ARG_BYTES);
    }

    /** Opens {@code node} (e.g. {@code renderD128}) for {@code client}. */
    public static AsahiDevice open(Client client, String node) throws DrmException {
        return new AsahiDevice(client, client.open(node));
    }

    public Client client() {
        return client;
    }

    public int fd() {
        return fd;
    }

    /** The address of the argument buffer, to build a raw struct in (tests of malformed input). */
    public long argBuffer() {
        return arg;
    }

    private void clear(UapiStruct s) throws DrmException {
        for (int i = 0; i < s.size(); i += 8) {
            memory.writeLong(arg + i, 0);
        }
    }

    private void put64(UapiStruct s, String field, long value) throws DrmException {
        memory.writeLong(arg + s.offset(field), value);
    }

    private void put32(UapiStruct s, String field, int value) throws DrmException {
        memory.writeInt(arg + s.offset(field), value);
    }

    private int get32(UapiStruct s, String field) throws DrmException {
        return memory.readInt(arg + s.offset(field));
    }

    private long get64(UapiStruct s, String field) throws DrmException {
        return memory.readLong(arg + s.offset(field));
    }

    /** Issues {@code which} with the argument buffer as it stands. */
    public int ioctl(AsahiIoctl which) throws DrmException {
        return client.ioctl(fd, which.number(), arg);
    }

    /**
     * {@code GET_PARAMS}: copies up to {@code size} bytes of {@code drm_asahi_params_global} to
     * client address {@code pointer}; returns the size the driver supports.
     */
    public long getParams(long pointer, long size) throws DrmException {
        UapiStruct s = UapiStruct.GET_PARAMS;
        clear(s);
        put64(s, "pointer", pointer);
        put64(s, "size", size);
        ioctl(AsahiIoctl.GET_PARAMS);
        return get64(s, "size");
    }

    /** {@code VM_CREATE}: the new VM's id. */
    public int vmCreate() throws DrmException {
        clear(UapiStruct.VM_CREATE);
        ioctl(AsahiIoctl.VM_CREATE);
        return get32(UapiStruct.VM_CREATE, "vm_id");
    }

    public void vmDestroy(int vmId) throws DrmException {
        clear(UapiStruct.VM_DESTROY);
        put32(UapiStruct.VM_DESTROY, "vm_id", vmId);
        ioctl(AsahiIoctl.VM_DESTROY);
    }

    /** {@code GEM_CREATE}: the new object's handle. */
    public int gemCreate(long size, int flags, int vmId) throws DrmException {
        UapiStruct s = UapiStruct.GEM_CREATE;
        clear(s);
        put64(s, "size", size);
        put32(s, "flags", flags);
        put32(s, "vm_id", vmId);
        ioctl(AsahiIoctl.GEM_CREATE);
        return get32(s, "handle");
    }

    /** {@code GEM_MMAP_OFFSET}: the fake offset to mmap the object at. */
    public long gemMmapOffset(int handle) throws DrmException {
        UapiStruct s = UapiStruct.GEM_MMAP_OFFSET;
        clear(s);
        put32(s, "handle", handle);
        ioctl(AsahiIoctl.GEM_MMAP_OFFSET);
        return get64(s, "offset");
    }

    /** Maps object {@code handle} of {@code size} bytes into the client; its address there. */
    public long mmap(int handle, long size) throws DrmException {
        return client.mmap(fd, size, gemMmapOffset(handle));
    }

    /** {@code GEM_BIND} with every field given. */
    public void gemBind(int op, int flags, int handle, int vmId, long offset, long range, long addr) throws DrmException {
        UapiStruct s = UapiStruct.GEM_BIND;
        clear(s);
        put32(s, "op", op);
        put32(s, "flags", flags);
        put32(s, "handle", handle);
        put32(s, "vm_id", vmId);
        put64(s, "offset", offset);
        put64(s, "range", range);
        put64(s, "addr", addr);
        ioctl(AsahiIoctl.GEM_BIND);
    }

    /** Binds a whole object read/write at {@code addr}. */
    public void bind(int handle, int vmId, long size, long addr) throws DrmException {
        gemBind(AsahiUapi.BIND_OP_BIND, AsahiUapi.BIND_READ | AsahiUapi.BIND_WRITE, handle, vmId, 0, size, addr);
    }

    /** Closes the file. */
    @Override
    public void close() throws DrmException {
        client.close(fd);
    }
}
