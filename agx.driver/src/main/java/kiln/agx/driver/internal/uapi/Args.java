package kiln.agx.driver.internal.uapi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;

/**
 * Reading ioctl arguments: the checks every asahi ioctl shares. A {@code __u64} of the UAPI is a
 * Java {@code long} holding the same 64 bits: every comparison or sum on one is unsigned, with
 * overflow checked (a value from 2^63 up is large, never negative).
 */
final class Args {
    private Args() {
    }

    static long u64(MemorySegment arg, long offset) {
        return arg.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
    }

    static int u32(MemorySegment arg, long offset) {
        return arg.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
    }

    /**
     * Whether {@code [offset, offset + size)} does not fit in {@code [0, limit)}, all three u64:
     * the sum overflowing or ending past {@code limit} ({@code checked_add} and a compare).
     */
    static boolean rangeOutside(long offset, long size, long limit) {
        long end = offset + size;
        return Long.compareUnsigned(end, offset) < 0 || Long.compareUnsigned(end, limit) > 0;
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
