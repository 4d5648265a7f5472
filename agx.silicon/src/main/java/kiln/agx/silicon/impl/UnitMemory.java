package kiln.agx.silicon.impl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import kiln.agx.silicon.impl.usc.IllegalProgramException;
import kiln.agx.silicon.impl.usc.MicroTlb;
import kiln.agx.silicon.impl.usc.Translator;

/**
 * A fixed-function unit's memory port: GPU-permission accesses in one context through its own
 * micro-TLB, as runs of 32-bit words split at page boundaries. Confined to one thread.
 * Refused accesses throw the UAT's fault; a write is translated completely before any of it is
 * written.
 */
final class UnitMemory {
    private static final ValueLayout.OfInt WORD = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long PAGE_BYTES = 1L << 14;
    private static final long PAGE_MASK = PAGE_BYTES - 1;
    /**
     * Runs up to this many words move word by word: a bulk copy between the heap and native
     * memory has a fixed cost (an out-of-line copy) that dominates short runs such as the
     * 128-byte rows of a tile.
     */
    private static final int SMALL_RUN = 64;
    private final MicroTlb tlb;
    private final Translator translator;
    /** Words of one value each, for long fills: two, as colour and depth fills alternate. */
    private final int[][] patterns = {new int[0], new int[0]};
    private final int[] patternValues = new int[2];
    private int nextPattern;

    /** What to do with one page's part of a run: {@code count} words at {@code offset} in {@code frame}, from word {@code done}. */
    private interface Chunk {
        void apply(MemorySegment frame, long offset, int done, int count);
    }

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
        int[] word = new int[1];
        read(va, word, 0, 1);
        return word[0];
    }

    void writeInt(long va, int value) {
        fill(va, value, 1);
    }

    private int[] pattern(int value, int count) {
        for (int i = 0; i < patterns.length; i++) {
            if (patternValues[i] == value && patterns[i].length >= count) {
                return patterns[i];
            }
        }
        int i = nextPattern;
        nextPattern = (nextPattern + 1) % patterns.length;
        if (patterns[i].length < count) {
            patterns[i] = new int[count];
        }
        Arrays.fill(patterns[i], value);
        patternValues[i] = value;
        return patterns[i];
    }

    /** Reads {@code count} words from {@code va} into {@code dst[offset..]}. */
    void read(long va, int[] dst, int offset, int count) {
        chunks(va, count, false, (frame, at, done, n) -> {
            if (n <= SMALL_RUN) {
                for (int i = 0; i < n; i++) {
                    dst[offset + done + i] = frame.get(WORD, at + 4L * i);
                }
            } else {
                MemorySegment.copy(frame, WORD, at, dst, offset + done, n);
            }
        });
    }

    /** Writes {@code count} words from {@code src[offset..]} to {@code va}. */
    void write(long va, int[] src, int offset, int count) {
        chunks(va, count, true, (frame, at, done, n) -> {
            if (n <= SMALL_RUN) {
                for (int i = 0; i < n; i++) {
                    frame.set(WORD, at + 4L * i, src[offset + done + i]);
                }
            } else {
                MemorySegment.copy(src, offset + done, frame, WORD, at, n);
            }
        });
    }

    /** Writes {@code value} to {@code count} consecutive words from {@code va}. */
    void fill(long va, int value, int count) {
        if (count > SMALL_RUN) {
            // Long fills copy from a pattern: a bulk copy is fast whatever the JIT makes of a loop.
            write(va, pattern(value, count), 0, count);
            return;
        }
        chunks(va, count, true, (frame, at, done, n) -> {
            for (int i = 0; i < n; i++) {
                frame.set(WORD, at + 4L * i, value);
            }
        });
    }

    /**
     * Moves {@code rows} rows of {@code count} words between {@code va} (rows
     * {@code strideBytes} apart) and {@code pixels} (from {@code pixelOffset}, rows
     * {@code pixelStride} words apart): part of a linear attachment. A write translates every row before writing any.
     */
    void rows(long va, long strideBytes, int rows, int[] pixels, int pixelOffset, int pixelStride, int count,
            boolean write) {
        if (write) {
            translateRows(va, strideBytes, rows, count);
        }
        for (int row = 0; row < rows; row++) {
            if (write) {
                write(va + row * strideBytes, pixels, pixelOffset + row * pixelStride, count);
            } else {
                read(va + row * strideBytes, pixels, pixelOffset + row * pixelStride, count);
            }
        }
    }

    private void translateRows(long va, long strideBytes, int rows, int count) {
        if ((strideBytes & 3) != 0) {
            throw new IllegalProgramException("misaligned stride " + strideBytes);
        }
        for (int row = 0; row < rows; row++) {
            translateForWrite(va + row * strideBytes, count);
        }
    }

    private void translateForWrite(long va, int count) {
        for (long page = va >>> 14; page <= (va + 4L * count - 1) >>> 14; page++) {
            tlb.lookup(Math.max(va, page << 14), true);
        }
    }

    /** Applies {@code op} to the run of {@code count} words at {@code va}, one page at a time. */
    private void chunks(long va, int count, boolean write, Chunk op) {
        if ((va & 3) != 0) {
            throw new IllegalProgramException("misaligned unit access to 0x" + Long.toHexString(va));
        }
        if (write && (va & PAGE_MASK) + 4L * count > PAGE_BYTES) {
            translateForWrite(va, count);
        }
        long at = va;
        try {
            int done = 0;
            while (done < count) {
                at = va + 4L * done;
                int chunk = (int) Math.min(count - done, (PAGE_BYTES - (at & PAGE_MASK)) >>> 2);
                op.apply(tlb.lookup(at, write), at & PAGE_MASK, done, chunk);
                done += chunk;
            }
        } catch (IllegalStateException freed) {
            throw translator.stale(at, write);
        }
    }
}
