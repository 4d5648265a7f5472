package kiln.agx.firmware.internal;

import kiln.agx.api.firmware.CommandType;

/**
 * One run command being interpreted: its microsequence program counter and the unit work its
 * Start op launched. After an error report the command stays here with no unit work; on resume
 * it runs on to its Finalize and RetireStamp, so its stamp still advances (the driver has
 * already given it the error).
 */
final class CommandRun {
    final long command;
    final CommandType type;
    final Fields.RunFields fields;
    final long start;
    final long end;
    long pc;
    UnitWork unit;
    BufferState buffer;
    long startTicks;
    long endTicks;

    CommandRun(long command, CommandType type, Fields.RunFields fields, long microsequence, long size) {
        this.command = command;
        this.type = type;
        this.fields = fields;
        this.start = microsequence;
        this.pc = microsequence;
        this.end = microsequence + size;
    }
}
