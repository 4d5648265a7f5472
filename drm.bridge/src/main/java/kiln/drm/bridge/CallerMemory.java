package kiln.drm.bridge;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.AddressSpace;

/**
 * The memory of every native client: the memory of the process whose ioctl this thread is
 * running (the kernel's {@code current->mm}), so a DRM file shared across {@code fork} reads the
 * caller's pointers whichever process opened it. Outside a call there is no user memory (EFAULT).
 * Mapping through Kiln is refused (ENODEV): a native process maps in its own address space.
 */
final class CallerMemory implements AddressSpace {
    private static final ThreadLocal<Call> CURRENT = new ThreadLocal<>();

    /** Runs {@code body} with {@code call} as the current call of this thread. */
    static <T> T during(Call call, IoctlBody<T> body) throws DrmException {
        Call previous = CURRENT.get();
        CURRENT.set(call);
        try {
            return body.run();
        } finally {
            CURRENT.set(previous);
        }
    }

    /** What runs inside a call. */
    interface IoctlBody<T> {
        T run() throws DrmException;
    }

    private static Call current() throws DrmException {
        Call call = CURRENT.get();
        if (call == null) {
            throw DrmException.quiet(Errno.EFAULT, "no native call on this thread: a native client's memory is its caller's");
        }
        return call;
    }

    @Override
    public long map(long size) throws DrmException {
        throw new DrmException(Errno.ENODEV, "a native process maps its own memory");
    }

    @Override
    public void unmap(long address) throws DrmException {
        throw new DrmException(Errno.ENODEV, "a native process unmaps its own memory");
    }

    @Override
    public void copyIn(long address, MemorySegment target, long offset, long length) throws DrmException {
        current().read(address, target, offset, length);
    }

    @Override
    public void copyOut(MemorySegment source, long offset, long address, long length) throws DrmException {
        current().write(source, offset, address, length);
    }

    @Override
    public int readInt(long address) throws DrmException {
        MemorySegment v = MemorySegment.ofArray(new int[1]);
        copyIn(address, v, 0, 4);
        return v.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
    }

    @Override
    public void writeInt(long address, int value) throws DrmException {
        copyOut(MemorySegment.ofArray(new int[] {value}), 0, address, 4);
    }

    @Override
    public long readLong(long address) throws DrmException {
        MemorySegment v = MemorySegment.ofArray(new long[1]);
        copyIn(address, v, 0, 8);
        return v.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    @Override
    public void writeLong(long address, long value) throws DrmException {
        copyOut(MemorySegment.ofArray(new long[] {value}), 0, address, 8);
    }

    @Override
    public long mappedBytes() {
        return 0;
    }
}
