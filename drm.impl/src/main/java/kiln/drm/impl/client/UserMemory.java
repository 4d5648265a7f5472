package kiln.drm.impl.client;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import kiln.drm.api.DrmException;
import kiln.drm.api.Errno;
import kiln.drm.api.client.AddressSpace;

/**
 * A client address space: mappings of off-heap memory at 16 KiB-aligned addresses from
 * {@link #BASE} up, each followed by an unmapped guard page, found with a skip-list floor lookup
 * (and a one-entry cache of the last mapping hit, which serves the usual "same struct again"
 * ioctl). A mapping's memory is freed when it is unmapped; a copy racing with the unmap of its
 * own mapping may fault (EFAULT) but never reads freed memory, because the segment is closed
 * only after it is unpublished and shared arenas fence in-flight accesses.
 */
final class UserMemory implements AddressSpace {
    static final long BASE = 0x1_0000_0000L;
    static final long PAGE = 16 * 1024;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A mapping: its own memory ({@code arena} set) or another owner's ({@code unmap} set). */
    private record Mapping(long address, long size, Arena arena, MemorySegment memory, Runnable unmap) {
    }

    private final ConcurrentSkipListMap<Long, Mapping> mappings = new ConcurrentSkipListMap<>();
    private final long limit;
    private long next = BASE;
    private long mapped;
    private volatile Mapping last;
    private boolean closed;

    UserMemory(long limit) {
        this.limit = limit;
    }

    @Override
    public synchronized long map(long size) throws DrmException {
        refuseIfClosed();
        if (size <= 0) {
            throw new DrmException(Errno.EINVAL, "mmap of " + size + " bytes");
        }
        long rounded = (size + PAGE - 1) & -PAGE;
        if (rounded < 0 || mapped + rounded > limit) {
            throw new DrmException(Errno.ENOMEM, "address space limit of " + limit + " bytes reached");
        }
        Arena arena = Arena.ofShared();
        MemorySegment memory = arena.allocate(rounded, PAGE);
        long address = next;
        next += rounded + PAGE;
        mapped += rounded;
        mappings.put(address, new Mapping(address, rounded, arena, memory, null));
        return address;
    }

    /**
     * Maps memory owned by someone else (a GEM object: {@code MAP_SHARED}); {@code unmap} runs once
     * when the mapping goes. The owner keeps the memory alive until then.
     */
    synchronized long mapShared(MemorySegment memory, Runnable unmap) throws DrmException {
        refuseIfClosed();
        long rounded = (memory.byteSize() + PAGE - 1) & -PAGE;
        if (mapped + rounded > limit) {
            throw new DrmException(Errno.ENOMEM, "address space limit of " + limit + " bytes reached");
        }
        long address = next;
        next += rounded + PAGE;
        mapped += rounded;
        mappings.put(address, new Mapping(address, memory.byteSize(), null, memory, unmap));
        return address;
    }

    @Override
    public void unmap(long address) throws DrmException {
        Mapping mapping;
        synchronized (this) {
            mapping = mappings.remove(address);
            if (mapping == null) {
                throw new DrmException(Errno.EINVAL, "no mapping at 0x" + Long.toHexString(address));
            }
            mapped -= (mapping.size() + PAGE - 1) & -PAGE;
            last = null;
        }
        if (mapping.arena() != null) {
            mapping.arena().close();
        } else {
            mapping.unmap().run();
        }
    }

    private void refuseIfClosed() throws DrmException {
        if (closed) {
            throw new DrmException(Errno.ESRCH, "the address space is gone (the process exited)");
        }
    }

    /**
     * The process exited: nothing more is mapped (ESRCH), and everything mapped goes. A map racing
     * this either lands before (and is unmapped here) or is refused.
     */
    void close() {
        synchronized (this) {
            closed = true;
        }
        for (Long address : mappings.keySet()) {
            try {
                unmap(address);
            } catch (DrmException alreadyGone) {
                // a concurrent unmap got there first
            }
        }
    }

    /** The segment of {@code [address, address + length)}, or EFAULT. */
    private MemorySegment resolve(long address, long length) throws DrmException {
        Mapping m = last;
        if (m == null || address < m.address() || length < 0 || address - m.address() > m.size() - length) {
            Map.Entry<Long, Mapping> e = mappings.floorEntry(address);
            m = e == null ? null : e.getValue();
            if (m == null || length < 0 || address - m.address() > m.size() - length) {
                throw DrmException.quiet(Errno.EFAULT, "bad address 0x" + Long.toHexString(address) + "+" + length);
            }
            last = m;
        }
        return m.memory().asSlice(address - m.address(), length);
    }

    @Override
    public void copyIn(long address, MemorySegment target, long offset, long length) throws DrmException {
        MemorySegment source = resolve(address, length);
        try {
            MemorySegment.copy(source, 0, target, offset, length);
        } catch (IllegalStateException closed) {
            throw unmapped(address);
        }
    }

    @Override
    public void copyOut(MemorySegment source, long offset, long address, long length) throws DrmException {
        MemorySegment target = resolve(address, length);
        try {
            MemorySegment.copy(source, offset, target, 0, length);
        } catch (IllegalStateException closed) {
            throw unmapped(address);
        }
    }

    /** One typed access to {@code [address, address + length)}: EFAULT if unmapped, before or during. */
    private <R> R access(long address, long length, Access<R> access) throws DrmException {
        MemorySegment segment = resolve(address, length);
        try {
            return access.apply(segment);
        } catch (IllegalStateException closed) {
            throw unmapped(address);
        }
    }

    @FunctionalInterface
    private interface Access<R> {
        R apply(MemorySegment segment);
    }

    /** The mapping was unmapped (its arena closed) between the lookup and the access. */
    private static DrmException unmapped(long address) {
        return DrmException.quiet(Errno.EFAULT, "address 0x" + Long.toHexString(address) + " was unmapped");
    }

    @Override
    public int readInt(long address) throws DrmException {
        return access(address, 4, s -> s.get(U32, 0));
    }

    @Override
    public void writeInt(long address, int value) throws DrmException {
        access(address, 4, s -> {
            s.set(U32, 0, value);
            return null;
        });
    }

    @Override
    public long readLong(long address) throws DrmException {
        return access(address, 8, s -> s.get(U64, 0));
    }

    @Override
    public void writeLong(long address, long value) throws DrmException {
        access(address, 8, s -> {
            s.set(U64, 0, value);
            return null;
        });
    }

    @Override
    public synchronized long mappedBytes() {
        return mapped;
    }
}
