package kiln.drm.impl.device;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.driver.DriverFeature;
import kiln.drm.api.driver.DriverInfo;
import kiln.drm.api.file.DrmFile;
import kiln.drm.api.ioctl.IoctlDescriptor;
import kiln.drm.api.ioctl.IoctlFlag;
import kiln.drm.api.ioctl.IoctlNumber;
import kiln.drm.impl.gem.GemService;

/**
 * The core ioctls every DRM device answers ({@code drm_ioctls[]} in drm_ioctl.c), with the
 * kernel's numbers, struct sizes (64-bit) and flags. The table is indexed by nr; empty slots are
 * the kernel's "no function": EINVAL.
 */
final class CoreIoctls {
    /** {@code struct drm_version}: 3 x int, pad, then (size_t len, char *ptr) x 3 = 64 bytes. */
    static final int VERSION = IoctlNumber.iowr(0x00, 64);
    /** {@code struct drm_get_cap { u64 capability; u64 value; }}. */
    static final int GET_CAP = IoctlNumber.iowr(0x0c, 16);
    /** {@code struct drm_gem_close { u32 handle; u32 pad; }}. */
    static final int GEM_CLOSE = IoctlNumber.iow(0x09, 8);
    /** {@code struct drm_prime_handle { u32 handle; u32 flags; s32 fd; }}. */
    static final int PRIME_HANDLE_TO_FD = IoctlNumber.iowr(0x2d, 12);
    static final int PRIME_FD_TO_HANDLE = IoctlNumber.iowr(0x2e, 12);

    static final long CAP_PRIME = 0x5;
    static final long CAP_TIMESTAMP_MONOTONIC = 0x6;
    static final long CAP_SYNCOBJ = 0x13;
    static final long CAP_SYNCOBJ_TIMELINE = 0x14;
    static final long PRIME_CAP_IMPORT_EXPORT = 0x1 | 0x2;

    private static final ValueLayout.OfInt S32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private CoreIoctls() {
    }

    static IoctlDescriptor[] table(GemService gem) {
        // core numbers lie below DRM_COMMAND_BASE and from DRM_COMMAND_END up (the SYNCOBJ ones)
        IoctlDescriptor[] table = new IoctlDescriptor[256];
        int renderAllow = IoctlFlag.RENDER_ALLOW.bit();
        put(table, new IoctlDescriptor(VERSION, "VERSION", renderAllow, CoreIoctls::version));
        put(table, new IoctlDescriptor(GET_CAP, "GET_CAP", renderAllow, CoreIoctls::getCap));
        put(table, new IoctlDescriptor(GEM_CLOSE, "GEM_CLOSE", renderAllow, (file, arg) -> {
            requireGem(file);
            gem.closeHandle(file, arg.get(S32, 0));
            return 0;
        }));
        put(table, new IoctlDescriptor(PRIME_HANDLE_TO_FD, "PRIME_HANDLE_TO_FD", renderAllow, (file, arg) -> {
            requireGem(file);
            arg.set(S32, 8, gem.exportHandle(file, arg.get(S32, 0), arg.get(S32, 4)));
            return 0;
        }));
        put(table, new IoctlDescriptor(PRIME_FD_TO_HANDLE, "PRIME_FD_TO_HANDLE", renderAllow, (file, arg) -> {
            requireGem(file);
            arg.set(S32, 0, gem.importFd(file, arg.get(S32, 8)));
            return 0;
        }));
        return table;
    }

    private static void requireGem(DrmFile file) throws DrmException {
        DriverFeatures.require(file, DriverFeature.GEM);
    }

    private static void put(IoctlDescriptor[] table, IoctlDescriptor d) {
        table[IoctlNumber.nr(d.cmd())] = d;
    }

    /** {@code drm_version}: fills the numbers and copies each string truncated to its buffer. */
    private static int version(DrmFile file, MemorySegment arg) throws DrmException {
        DriverInfo info = ((DeviceFile) file).device.info;
        arg.set(S32, 0, info.major());
        arg.set(S32, 4, info.minor());
        arg.set(S32, 8, info.patchlevel());
        copyField(file, arg, 16, info.name());
        copyField(file, arg, 32, info.date());
        copyField(file, arg, 48, info.desc());
        return 0;
    }

    /** {@code drm_copy_field}: writes min(len, length) bytes, then reports the full length. */
    private static void copyField(DrmFile file, MemorySegment arg, long offset, String value) throws DrmException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        long bufferLength = arg.get(U64, offset);
        long pointer = arg.get(U64, offset + 8);
        arg.set(U64, offset, bytes.length);
        long copy = Long.compareUnsigned(bufferLength, bytes.length) < 0 ? bufferLength : bytes.length; // size_t
        if (copy > 0) {
            if (pointer == 0) {
                throw DrmException.quiet(Errno.EFAULT, "NULL string buffer");
            }
            file.caller().memory().copyOut(MemorySegment.ofArray(bytes), 0, pointer, copy);
        }
    }

    /** {@code drm_getcap}: only the render-relevant caps; the others need KMS (EOPNOTSUPP). */
    private static int getCap(DrmFile file, MemorySegment arg) throws DrmException {
        long capability = arg.get(U64, 0);
        var features = ((DeviceFile) file).device.features;
        long value;
        if (capability == CAP_TIMESTAMP_MONOTONIC) {
            value = 1;
        } else if (capability == CAP_PRIME) {
            value = PRIME_CAP_IMPORT_EXPORT;
        } else if (capability == CAP_SYNCOBJ) {
            value = features.contains(DriverFeature.SYNCOBJ) ? 1 : 0;
        } else if (capability == CAP_SYNCOBJ_TIMELINE) {
            value = features.contains(DriverFeature.SYNCOBJ_TIMELINE) ? 1 : 0;
        } else if (!features.contains(DriverFeature.MODESET)) {
            throw DrmException.quiet(Errno.EOPNOTSUPP, "capability 0x" + Long.toHexString(capability)
                    + " needs a KMS driver");
        } else {
            throw DrmException.quiet(Errno.EINVAL, "unknown capability 0x" + Long.toHexString(capability));
        }
        arg.set(U64, 8, value);
        return 0;
    }
}
