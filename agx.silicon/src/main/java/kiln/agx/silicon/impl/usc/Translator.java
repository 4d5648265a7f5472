package kiln.agx.silicon.impl.usc;

import java.lang.foreign.MemorySegment;

/** What a USC core needs from the UAT for one dispatch's context. */
public interface Translator {
    /** A successful translation. */
    record Translation(MemorySegment frame, boolean gpuRead, boolean gpuWrite) {
    }

    /** The UAT's invalidation generation. */
    long generation();

    /** Translates an access or throws the (latched) fault. */
    Translation translate(long va, boolean write);

    /** The fault for a translation whose page has been freed meanwhile. */
    RuntimeException stale(long va, boolean write);
}
