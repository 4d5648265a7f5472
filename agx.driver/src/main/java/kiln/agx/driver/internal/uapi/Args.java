package kiln.agx.driver.internal.uapi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;

/** Reading ioctl arguments: the checks every asahi ioctl shares. */
final class Args {
    private Args() {
    }

    static long u64(MemorySegment arg, long offset) {
        return arg.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
    }

    static int u32(MemorySegment arg, long offset) {
        return arg.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
    }

    /** {@code extensions} (offset 0) must be 0: no extension is defined. */
    static void noExtensions(MemorySegment arg) throws DrmException {
        if (u64(arg, 0) != 0) {
            throw DrmException.quiet(Errno.EINVAL, "extensions are not supported");
        }
    }

    /** A field that must be zero. */
    static void mbz(MemorySegment arg, long offset, String name) throws DrmException {
        if (u32(arg, offset) != 0) {
            throw DrmException.quiet(Errno.EINVAL, name + " must be zero");
        }
    }
}
