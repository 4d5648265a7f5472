package kiln.drm.bridge;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The ioctl struct fields that hold file descriptors: a descriptor number means one thing in the
 * program (its own fd table) and another in Kiln (the client's), so the bridge translates each.
 * An <em>input</em> names a file the program holds (the caller tells which, {@link Wire#FD_QUERY});
 * an <em>output</em> is a file Kiln made, which the program then adopts as a new descriptor of its
 * own ({@link Wire#ADOPT}).
 *
 * @param offset  where the {@code s32} sits in the struct
 * @param output  whether the ioctl writes it
 * @param cloexec for an output: whether the new descriptor is close-on-exec; -1 when the struct's
 *                {@code flags} ({@code u32} at offset 4) say so with {@code DRM_CLOEXEC}
 */
record FdFields(int offset, boolean output, int cloexec) {
    private static final int O_CLOEXEC = 0x80000;

    /** The descriptor fields of {@code cmd}, inputs first; empty when it has none. */
    static List<FdFields> of(int cmd) {
        int type = cmd >>> 8 & 0xff;
        int nr = cmd & 0xff;
        if (type == 'd') {
            return switch (nr) {
                case 0x2d -> List.of(new FdFields(8, true, -1)); // PRIME_HANDLE_TO_FD: flags carry DRM_CLOEXEC
                case 0x2e -> List.of(new FdFields(8, false, 0)); // PRIME_FD_TO_HANDLE
                case 0xC1 -> List.of(new FdFields(8, true, 1)); // SYNCOBJ_HANDLE_TO_FD: O_CLOEXEC in the kernel
                case 0xC2 -> List.of(new FdFields(8, false, 0)); // SYNCOBJ_FD_TO_HANDLE
                case 0xCF -> List.of(new FdFields(16, false, 0)); // SYNCOBJ_EVENTFD: the caller's eventfd
                default -> List.of();
            };
        }
        if (type == 'W' && nr == 0) {
            return List.of(new FdFields(36, true, 1)); // SW_SYNC_IOC_CREATE_FENCE
        }
        if (type == 'W' && nr == 2) {
            return List.of(new FdFields(8, false, 0)); // SW_SYNC_GET_DEADLINE
        }
        if (type == '>' && nr == 3) {
            return List.of(new FdFields(32, false, 0), new FdFields(36, true, 1)); // SYNC_IOC_MERGE
        }
        return List.of();
    }

    boolean cloexec(MemorySegment struct) {
        return cloexec < 0 ? (struct.get(ValueLayout.JAVA_INT_UNALIGNED, 4) & O_CLOEXEC) != 0 : cloexec == 1;
    }
}
