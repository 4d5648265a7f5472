package kiln.drm.bridge;

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
    private static final int DRM_TYPE = 'd';
    private static final int O_CLOEXEC = 0x80000;

    /** The descriptor field of {@code cmd}, or null when it has none. */
    static FdFields of(int cmd) {
        if ((cmd >>> 8 & 0xff) != DRM_TYPE) {
            return null;
        }
        return switch (cmd & 0xff) {
            case 0x2d -> new FdFields(8, true, -1); // PRIME_HANDLE_TO_FD: flags carry DRM_CLOEXEC
            case 0x2e -> new FdFields(8, false, 0); // PRIME_FD_TO_HANDLE
            case 0xC1 -> new FdFields(8, true, 1); // SYNCOBJ_HANDLE_TO_FD: always O_CLOEXEC in the kernel
            case 0xC2 -> new FdFields(8, false, 0); // SYNCOBJ_FD_TO_HANDLE
            default -> null;
        };
    }

    boolean cloexec(java.lang.foreign.MemorySegment struct) {
        return cloexec < 0 ? (struct.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 4) & O_CLOEXEC) != 0 : cloexec == 1;
    }
}
