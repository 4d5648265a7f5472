package kiln.agx.api.uapi;

import kiln.drm.api.ioctl.IoctlNumber;

/**
 * The ioctls of the RFC asahi UAPI: number within the driver range, direction and struct. The
 * full ioctl number is {@code _IOC(dir, 'd', DRM_COMMAND_BASE + nr, sizeof(struct))}.
 */
public enum AsahiIoctl {
    GET_PARAMS(0x00, IoctlNumber.READ | IoctlNumber.WRITE, UapiStruct.GET_PARAMS),
    VM_CREATE(0x01, IoctlNumber.READ | IoctlNumber.WRITE, UapiStruct.VM_CREATE),
    VM_DESTROY(0x02, IoctlNumber.WRITE, UapiStruct.VM_DESTROY),
    GEM_CREATE(0x03, IoctlNumber.READ | IoctlNumber.WRITE, UapiStruct.GEM_CREATE),
    GEM_MMAP_OFFSET(0x04, IoctlNumber.READ | IoctlNumber.WRITE, UapiStruct.GEM_MMAP_OFFSET),
    GEM_BIND(0x05, IoctlNumber.WRITE, UapiStruct.GEM_BIND),
    QUEUE_CREATE(0x06, IoctlNumber.READ | IoctlNumber.WRITE, UapiStruct.QUEUE_CREATE),
    QUEUE_DESTROY(0x07, IoctlNumber.WRITE, UapiStruct.QUEUE_DESTROY),
    SUBMIT(0x08, IoctlNumber.WRITE, UapiStruct.SUBMIT),
    GET_TIME(0x09, IoctlNumber.READ | IoctlNumber.WRITE, UapiStruct.GET_TIME);

    private final int nr;
    private final int dir;
    private final UapiStruct struct;

    AsahiIoctl(int nr, int dir, UapiStruct struct) {
        this.nr = nr;
        this.dir = dir;
        this.struct = struct;
    }

    /** The driver-relative number (0x00..). */
    public int nr() {
        return nr;
    }

    /** The ioctl's argument struct. */
    public UapiStruct struct() {
        return struct;
    }

    /** The full ioctl number a client passes. */
    public int number() {
        return IoctlNumber.encode(dir, IoctlNumber.DRM_IOCTL_BASE, IoctlNumber.DRM_COMMAND_BASE + nr, struct.size());
    }
}
