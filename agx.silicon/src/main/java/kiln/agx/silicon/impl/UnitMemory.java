package kiln.agx.silicon.impl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import kiln.agx.silicon.impl.usc.MicroTlb;
import kiln.agx.silicon.impl.usc.Translator;

/**
 * A fixed-function unit's memory port: GPU-permission accesses in one context through its own
 * micro-TLB, as runs of 32-bit words split at page boundaries. Confined to one thread.
 * Refused accesses throw the UAT's fault; a run is translated completely before any of it is
 * written.
 */
final class UnitMemory {
    private static final ValueLayout.OfInt WORD = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long PAGE_BYTES = 1L << 14;
    private static final long PAGE_MASK = PAGE_BYTES - 1;
    private final MicroTlb tlb;
    private final Translator translator;

    UnitMemory(Translator translator) {
        this(translator, MicroTlb.DEFAULT_ENTRIES);
    }

    UnitMemory(Translator translator, int tlbEntries) {
        this.translator = translator;
        this.tlb = new MicroTlb(translator, tlbEntries);
    }

    /** Call before a burst of accesses: drops translations invalidated since the last burst. */
    void sync() {
        tlb.sync();
    }

    int readInt(long va) {
        checkAligned(va);
        try {
            return tlb.lookup(va, false).get(WORD, va & PAGE_MASK);
        } catch (IllegalStateException freed) {
            throw translator.stale(va, false);
        }
    }

    void writeInt(long va, int value) {
        checkAligned(va);
        try {
            tlb.lookup(va, true).set(WORD, va & PAGE_MASK, value);
        } catch (IllegalStateException freed) {
            throw translator.stale(va, true);
        }
    }

    /** Reads {@code count} words from {@code va} into {@code dst[offset..]}. */
    void read(long va, int[] dst, int offset, int count) {
        checkAligned(va);
        long at = va;
        try {
            int done = 0;
            while (done < count) {
                at = va + 4L * done;
                int chunk = (int) Math.min(count - done, (PAGE_BYTES - (at & PAGE_MASK)) >>> 2);
                MemorySegment.copy(tlb.lookup(at, false), WORD, at & PAGE_MASK, dst, offset + done, chunk);
                done += chunk;
            }
        } catch (IllegalStateException freed) {
            throw translator.stale(at, false);
        }
    }

    /** Writes {@code count} words from {@code src[offset..]} to {@code va}. */
    void write(long va, int[] src, int offset, int count) {
        checkAligned(va);
        if ((va & PAGE_MASK) + 4L * count <= PAGE_BYTES) {
            try {
                MemorySegment.copy(src, offset, tlb.lookup(va, true), WORD, va & PAGE_MASK, count);
                return;
            } catch (IllegalStateException freed) {
                throw translator.stale(va, true);
            }
        }
        long firstPage = va >>> 14;
        long lastPage = (va + 4L * count - 1) >>> 14;
        for (long page = firstPage + 1; page <= lastPage; page++) {
            tlb.lookup(page << 14, true);
        }
        long at = va;
        try {
            int done = 0;
            while (done < count) {
                at = va + 4L * done;
                int chunk = (int) Math.min(count - done, (PAGE_BYTES - (at & PAGE_MASK)) >>> 2);
                MemorySegment.copy(src, offset + done, tlb.lookup(at, true), WORD, at & PAGE_MASK, chunk);
                done += chunk;
            }
        } catch (IllegalStateException freed) {
            throw translator.stale(at, true);
        }
    }

    /**
     * Moves {@code rows} rows of {@code count} words between {@code va} (rows
     * {@code strideBytes} apart) and {@code pixels} (rows {@code pixelStride} words apart), in
     * one call: a tile of a linear attachment. Every page is translated before anything is
     * written.
     */
    void rows(long va, long strideBytes, int rows, int[] pixels, int pixelStride, int count, boolean write) {
        checkAligned(va);
        if ((strideBytes & 3) != 0) {
            throw new kiln.agx.silicon.impl.usc.IllegalProgramException("misaligned stride " + strideBytes);
        }
        if (write) {
            for (int row = 0; row < rows; row++) {
                long at = va + row * strideBytes;
                tlb.lookup(at, true);
                tlb.lookup(at + 4L * count - 1 & ~3L, true);
            }
        }
        long at = va;
        try {
            for (int row = 0; row < rows; row++) {
                at = va + row * strideBytes;
                long offset = at & PAGE_MASK;
                int base = row * pixelStride;
                if (offset + 4L * count <= PAGE_BYTES) {
                    MemorySegment frame = tlb.lookup(at, write);
                    if (write) {
                        for (int i = 0; i < count; i++) {
                            frame.set(WORD, offset + 4L * i, pixels[base + i]);
                        }
                    } else {
                        for (int i = 0; i < count; i++) {
                            pixels[base + i] = frame.get(WORD, offset + 4L * i);
                        }
                    }
                } else if (write) {
                    write(at, pixels, base, count);
                } else {
                    read(at, pixels, base, count);
                }
            }
        } catch (IllegalStateException freed) {
            throw translator.stale(at, write);
        }
    }

    /** Writes {@code value} to {@code rows} rows of {@code count} words, {@code strideBytes} apart. */
    void fillRows(long va, long strideBytes, int rows, int value, int count) {
        checkAligned(va);
        for (int row = 0; row < rows; row++) {
            long at = va + row * strideBytes;
            tlb.lookup(at, true);
            tlb.lookup(at + 4L * count - 1 & ~3L, true);
        }
        long at = va;
        try {
            for (int row = 0; row < rows; row++) {
                at = va + row * strideBytes;
                long offset = at & PAGE_MASK;
                if (offset + 4L * count <= PAGE_BYTES) {
                    MemorySegment frame = tlb.lookup(at, true);
                    for (int i = 0; i < count; i++) {
                        frame.set(WORD, offset + 4L * i, value);
                    }
                } else {
                    fill(at, value, count);
                }
            }
        } catch (IllegalStateException freed) {
            throw translator.stale(at, true);
        }
    }

    /** Writes {@code value} to {@code count} consecutive words from {@code va}. */
    void fill(long va, int value, int count) {
        checkAligned(va);
        if ((va & PAGE_MASK) + 4L * count <= PAGE_BYTES) {
            try {
                MemorySegment frame = tlb.lookup(va, true);
                long offset = va & PAGE_MASK;
                for (int i = 0; i < count; i++) {
                    frame.set(WORD, offset + 4L * i, value);
                }
                return;
            } catch (IllegalStateException freed) {
                throw translator.stale(va, true);
            }
        }
        long firstPage = va >>> 14;
        long lastPage = (va + 4L * count - 1) >>> 14;
        for (long page = firstPage + 1; page <= lastPage; page++) {
            tlb.lookup(page << 14, true);
        }
        long at = va;
        try {
            int done = 0;
            while (done < count) {
                at = va + 4L * done;
                int chunk = (int) Math.min(count - done, (PAGE_BYTES - (at & PAGE_MASK)) >>> 2);
                MemorySegment frame = tlb.lookup(at, true);
                long offset = at & PAGE_MASK;
                for (int i = 0; i < chunk; i++) {
                    frame.set(WORD, offset + 4L * i, value);
                }
                done += chunk;
            }
        } catch (IllegalStateException freed) {
            throw translator.stale(at, true);
        }
    }

    private static void checkAligned(long va) {
        if ((va & 3) != 0) {
            throw new kiln.agx.silicon.impl.usc.IllegalProgramException("misaligned unit access to 0x" + Long.toHexString(va));
        }
    }
}
