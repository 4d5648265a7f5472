package kiln.drm.bridge;

import java.lang.foreign.MemorySegment;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;

/**
 * One ioctl in progress on a control connection: whose memory it reads ({@code current->mm}) and
 * the ioctl struct the caller sent with it. The struct's bytes are served from here, as the
 * kernel's {@code drm_ioctl} works on its own copy, and go back with the reply; every other
 * address is the caller's memory, reached with {@code process_vm_readv}/{@code writev} or, where
 * the system refuses those (Yama's ptrace scope, seccomp), by asking the caller to copy.
 * Used by the control connection's thread only.
 */
final class Call {
    private final Session session;
    final long structAddress;
    final MemorySegment struct;

    Call(Session session, long structAddress, MemorySegment struct) {
        this.session = session;
        this.structAddress = structAddress;
        this.struct = struct;
    }

    /** Copies {@code length} bytes at {@code address} into {@code target} at {@code offset}. */
    void read(long address, MemorySegment target, long offset, long length) throws DrmException {
        move(false, address, target, offset, length);
    }

    /** Copies {@code length} bytes of {@code source} from {@code offset} to {@code address}. */
    void write(MemorySegment source, long offset, long address, long length) throws DrmException {
        move(true, address, source, offset, length);
    }

    /** Splits the range into the struct's part (served here) and the rest (the caller's memory). */
    private void move(boolean write, long address, MemorySegment local, long offset, long length) throws DrmException {
        checkRange(address, length);
        long end = address + length;
        long structEnd = structAddress + struct.byteSize();
        long cursor = address;
        while (cursor < end) {
            if (cursor >= structAddress && cursor < structEnd) {
                long n = Math.min(end, structEnd) - cursor;
                if (write) {
                    MemorySegment.copy(local, offset + (cursor - address), struct, cursor - structAddress, n);
                } else {
                    MemorySegment.copy(struct, cursor - structAddress, local, offset + (cursor - address), n);
                }
                cursor += n;
            } else {
                long stop = structAddress > cursor && structAddress < end ? structAddress : end;
                session.remote(write, cursor, local, offset + (cursor - address), stop - cursor);
                cursor = stop;
            }
        }
    }

    private static void checkRange(long address, long length) throws DrmException {
        if (length < 0 || address == 0 && length > 0 || Long.compareUnsigned(address + length, address) < 0) {
            throw DrmException.quiet(Errno.EFAULT, "bad address 0x" + Long.toHexString(address) + "+" + length);
        }
    }

}
