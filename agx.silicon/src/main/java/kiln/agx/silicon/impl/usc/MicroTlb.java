package kiln.agx.silicon.impl.usc;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A core's small direct-mapped TLB in front of the UAT, for one context. Pages are spread over
 * the entries by a Fibonacci hash of the page number: buffers a power of two apart (the usual
 * layout) would otherwise evict each other on every access. It trusts its entries
 * only while the UAT's invalidation generation is unchanged; {@link #sync()} (called once per
 * memory instruction) drops everything after any invalidation.
 */
public final class MicroTlb {
    /** Entries of a core's TLB unless a unit asks for more. */
    public static final int DEFAULT_ENTRIES = 256;
    private final Translator translator;
    private final int mask;
    private final long[] tags;
    private final MemorySegment[] frames;
    private final byte[] permissions;
    private long generation = Long.MIN_VALUE;

    public MicroTlb(Translator translator) {
        this(translator, DEFAULT_ENTRIES);
    }

    /** A TLB of {@code entries} (a power of two). */
    public MicroTlb(Translator translator, int entries) {
        if (Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("entries " + entries);
        }
        this.translator = translator;
        this.mask = entries - 1;
        this.tags = new long[entries];
        this.frames = new MemorySegment[entries];
        this.permissions = new byte[entries];
        Arrays.fill(tags, -1);
    }

    public void sync() {
        long current = translator.generation();
        if (current != generation) {
            Arrays.fill(tags, -1);
            generation = current;
        }
    }

    public MemorySegment lookup(long va, boolean write) {
        long vpn = va >>> 14;
        int i = (int) ((vpn * 0x9E37_79B9_7F4A_7C15L) >>> 40) & mask;
        if (tags[i] == vpn && (permissions[i] & (write ? 2 : 1)) != 0) {
            return frames[i];
        }
        return miss(va, vpn, i, write);
    }

    private MemorySegment miss(long va, long vpn, int i, boolean write) {
        Translator.Translation t = translator.translate(va, write);
        tags[i] = vpn;
        frames[i] = t.frame();
        permissions[i] = (byte) ((t.gpuRead() ? 1 : 0) | (t.gpuWrite() ? 2 : 0));
        return t.frame();
    }
}
