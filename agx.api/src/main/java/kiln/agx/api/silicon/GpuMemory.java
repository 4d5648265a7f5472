package kiln.agx.api.silicon;

import java.lang.foreign.MemorySegment;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One agent's view of one UAT context: every access is translated and permission-checked, and a
 * refused one throws {@link GpuFault} having changed nothing (a bulk copy may have completed
 * the pages before the faulting one). Accesses need not be aligned; multi-byte values are
 * little-endian. Thread-safe; one view may be shared.
 */
@ProviderType
public interface GpuMemory {
    /** The context slot. */
    int slot();

    int readInt(long va);

    void writeInt(long va, int value);

    long readLong(long va);

    void writeLong(long va, long value);

    /** Copies {@code destination.byteSize()} bytes from {@code va}. */
    void read(long va, MemorySegment destination);

    /** Copies {@code source} to {@code va}. */
    void write(long va, MemorySegment source);
}
