package kiln.agx.firmware.internal;

import kiln.agx.api.silicon.GpuMemory;

/**
 * One channel ring in kernel memory, seen from the firmware: entries of a fixed size between a
 * read and a write index, each index owned by one side. The AP produces on device-control,
 * pipe and firmware-control channels; the firmware produces on event, log and stats channels.
 * One slot always stays empty, so {@code read == write} means empty.
 */
final class Channel {
    private final Fields f;
    private final GpuMemory memory;
    private final long stateVa;
    private final long ringVa;
    private final int entries;
    private final long entryBytes;

    private Channel(Fields f, GpuMemory memory, long stateVa, long ringVa, int entries, long entryBytes) {
        this.f = f;
        this.memory = memory;
        this.stateVa = stateVa;
        this.ringVa = ringVa;
        this.entries = entries;
        this.entryBytes = entryBytes;
    }

    /** The channel whose {@code CHANNEL_RING} is at {@code ringStructVa}; reads it (a bad pointer faults). */
    static Channel at(Fields f, GpuMemory memory, long ringStructVa, long entryBytes) {
        long state = f.ringState.read(memory, ringStructVa);
        long ring = f.ringRing.read(memory, ringStructVa);
        int entries = (int) f.ringEntries.read(memory, ringStructVa);
        if (entries < 2) {
            throw new FirmwareCrash("channel at 0x" + Long.toHexString(ringStructVa) + " has " + entries + " entries");
        }
        return new Channel(f, memory, state, ring, entries, entryBytes);
    }

    /** What {@link #peek} and {@link #reserve} answer for "nothing": no channel lives at VA 0. */
    static final long NONE = 0;

    /** The address of the next message the AP wrote, or {@link #NONE}. */
    long peek() {
        int read = (int) f.csRead.read(memory, stateVa);
        int write = (int) f.csWrite.read(memory, stateVa);
        if (read == write) {
            return NONE;
        }
        if (Integer.compareUnsigned(read, entries) >= 0 || Integer.compareUnsigned(write, entries) >= 0) {
            throw new FirmwareCrash("channel indices out of range: read " + read + ", write " + write + " of " + entries);
        }
        return ringVa + read * entryBytes;
    }

    /** Consumes the message {@link #peek} gave. */
    void consume() {
        int read = (int) f.csRead.read(memory, stateVa);
        f.csRead.write(memory, stateVa, (read + 1) % entries);
    }

    /** The address to write the next message to, or {@link #NONE} if the AP has not read enough yet. */
    long reserve() {
        int read = (int) f.csRead.read(memory, stateVa);
        int write = (int) f.csWrite.read(memory, stateVa);
        if ((write + 1) % entries == read) {
            return NONE;
        }
        long at = ringVa + write * entryBytes;
        memory.write(at, java.lang.foreign.MemorySegment.ofArray(new byte[(int) entryBytes]));
        return at;
    }

    /** Publishes the message written at {@link #reserve}'s address. */
    void publish() {
        int write = (int) f.csWrite.read(memory, stateVa);
        f.csWrite.write(memory, stateVa, (write + 1) % entries);
    }
}
