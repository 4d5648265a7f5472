package kiln.agx.api.firmware;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import kiln.agx.api.silicon.GpuMemory;

/**
 * One field of a firmware structure in one firmware ABI, resolved once: its byte offset, the
 * width of one element (1, 2, 4 or 8 bytes, or a whole nested structure) and how many
 * elements it has. Reads and writes take the structure's base (a CPU segment offset, or a GPU
 * VA through the firmware's {@link GpuMemory}) and cost one bounds-checked access, no lookup.
 *
 * <h2>Absent fields</h2>
 * A field that exists in another (generation, firmware) of the same type but not in this
 * one is {@linkplain #present() absent}: writes do nothing and reads return 0, so the driver
 * writes version-independent content through one code path, as the real driver's
 * {@code #[ver(...)]} fields are written only where they exist. Names that exist in no
 * version are refused by {@link AbiStruct#field}.
 *
 * <p>Values are little-endian and need not be aligned. Floats are written as their IEEE bits.
 * Immutable and thread-safe.
 */
public final class AbiField {
    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final String name;
    private final long offset;
    private final long elementBytes;
    private final int count;
    private final AbiType nested;
    private final boolean present;

    /**
     * A present field.
     *
     * @param elementBytes 1, 2, 4 or 8 for a scalar; the nested structure's size otherwise
     * @param count        elements (1 for a plain field)
     * @param nested       the element type when the field embeds structures, else {@code null}
     */
    public AbiField(String name, long offset, long elementBytes, int count, AbiType nested) {
        if (nested == null && elementBytes != 1 && elementBytes != 2 && elementBytes != 4 && elementBytes != 8) {
            throw new IllegalArgumentException(name + ": scalar fields are 1, 2, 4 or 8 bytes, not " + elementBytes);
        }
        if (offset < 0 || count < 1) {
            throw new IllegalArgumentException(name + ": offset " + offset + ", count " + count);
        }
        this.name = name;
        this.offset = offset;
        this.elementBytes = elementBytes;
        this.count = count;
        this.nested = nested;
        this.present = true;
    }

    private AbiField(String name) {
        this.name = name;
        this.offset = 0;
        this.elementBytes = 0;
        this.count = 0;
        this.nested = null;
        this.present = false;
    }

    /** The field {@code name} as it is where this ABI lacks it. */
    public static AbiField absent(String name) {
        return new AbiField(name);
    }

    public String name() {
        return name;
    }

    /** Whether this ABI has the field. */
    public boolean present() {
        return present;
    }

    /** Byte offset from the start of the structure (0 when absent). */
    public long offset() {
        return offset;
    }

    /** Bytes of one element. */
    public long elementBytes() {
        return elementBytes;
    }

    /** Elements: 1 for a plain field, the length for an array. */
    public int count() {
        return count;
    }

    /** Total bytes. */
    public long byteSize() {
        return elementBytes * count;
    }

    /** The embedded structure type, or {@code null} for scalars. */
    public AbiType nested() {
        return nested;
    }

    /** Byte offset of element {@code index} from the start of the structure. */
    public long offset(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException(name + "[" + index + "] of " + count);
        }
        return offset + index * elementBytes;
    }

    /** Reads element 0, zero-extended (floats as their bits). */
    public long get(MemorySegment segment, long base) {
        return present ? getAt(segment, base + offset) : 0;
    }

    /** Reads element {@code index}, zero-extended. */
    public long get(MemorySegment segment, long base, int index) {
        return present ? getAt(segment, base + offset(index)) : 0;
    }

    /** Writes element 0, truncated to the field's width. */
    public void set(MemorySegment segment, long base, long value) {
        if (present) {
            setAt(segment, base + offset, value);
        }
    }

    /** Writes element {@code index}. */
    public void set(MemorySegment segment, long base, int index, long value) {
        if (present) {
            setAt(segment, base + offset(index), value);
        }
    }

    /** Writes a float field's element 0. */
    public void setFloat(MemorySegment segment, long base, float value) {
        set(segment, base, Float.floatToRawIntBits(value) & 0xffff_ffffL);
    }

    /** Reads element 0 through GPU memory at structure address {@code va}; faults as {@link kiln.agx.api.silicon.GpuFault}. */
    public long read(GpuMemory memory, long va) {
        return present ? readAt(memory, va + offset) : 0;
    }

    /** Reads element {@code index} through GPU memory. */
    public long read(GpuMemory memory, long va, int index) {
        return present ? readAt(memory, va + offset(index)) : 0;
    }

    /** Writes element 0 through GPU memory. */
    public void write(GpuMemory memory, long va, long value) {
        if (present) {
            writeAt(memory, va + offset, value);
        }
    }

    /** Writes element {@code index} through GPU memory. */
    public void write(GpuMemory memory, long va, int index, long value) {
        if (present) {
            writeAt(memory, va + offset(index), value);
        }
    }

    private long getAt(MemorySegment s, long at) {
        return switch ((int) elementBytes) {
            case 1 -> s.get(U8, at) & 0xffL;
            case 2 -> s.get(U16, at) & 0xffffL;
            case 4 -> s.get(U32, at) & 0xffff_ffffL;
            case 8 -> s.get(U64, at);
            default -> throw new UnsupportedOperationException(name + " embeds " + nested + "; use its own fields");
        };
    }

    private void setAt(MemorySegment s, long at, long value) {
        switch ((int) elementBytes) {
            case 1 -> s.set(U8, at, (byte) value);
            case 2 -> s.set(U16, at, (short) value);
            case 4 -> s.set(U32, at, (int) value);
            case 8 -> s.set(U64, at, value);
            default -> throw new UnsupportedOperationException(name + " embeds " + nested + "; use its own fields");
        }
    }

    private long readAt(GpuMemory m, long va) {
        return switch ((int) elementBytes) {
            case 4 -> m.readInt(va) & 0xffff_ffffL;
            case 8 -> m.readLong(va);
            case 1, 2 -> {
                MemorySegment small = MemorySegment.ofArray(new byte[(int) elementBytes]);
                m.read(va, small);
                yield getAt(small, 0);
            }
            default -> throw new UnsupportedOperationException(name + " embeds " + nested + "; use its own fields");
        };
    }

    private void writeAt(GpuMemory m, long va, long value) {
        switch ((int) elementBytes) {
            case 4 -> m.writeInt(va, (int) value);
            case 8 -> m.writeLong(va, value);
            case 1, 2 -> {
                MemorySegment small = MemorySegment.ofArray(new byte[(int) elementBytes]);
                setAt(small, 0, value);
                m.write(va, small);
            }
            default -> throw new UnsupportedOperationException(name + " embeds " + nested + "; use its own fields");
        }
    }

    @Override
    public String toString() {
        if (!present) {
            return name + " (absent)";
        }
        return name + "@0x" + Long.toHexString(offset) + (count > 1 ? "[" + count + "]" : "")
                + (nested != null ? ":" + nested : ":" + elementBytes * 8 + "b");
    }
}
