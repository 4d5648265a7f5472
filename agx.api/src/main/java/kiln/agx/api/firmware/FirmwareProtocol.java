package kiln.agx.api.firmware;

/**
 * Constants of the driver-firmware protocol that are not layouts. Values marked "real" are the
 * real driver's; the others are Kiln's, chosen where the real value is unknown.
 */
public final class FirmwareProtocol {
    /** Real: {@code PPL_MAGIC}, written to {@code Handoff.magic_ap} by the driver and {@code magic_fw} by the firmware. */
    public static final long PPL_MAGIC = 0x4b1d_0000_0000_0002L;
    /** Real: flush slots in the handoff (64 VM slots + the kernel's, 64). */
    public static final int HANDOFF_FLUSH_SLOTS = 65;
    /** Real: flush slot state the driver sets to request, and the firmware's answer. */
    public static final int FLUSH_REQUESTED = 1, FLUSH_DONE = 2;
    /** Real: event stamps. */
    public static final int EVENT_SLOTS = 128;
    /** Real: an event value advances by this per completion ({@code EventValue::next}). */
    public static final int STAMP_STEP = 0x100;
    /** Real: work queue priorities (UAPI 0..3), one set of pipe channels each. */
    public static final int PRIORITIES = 4;
    /** Real: {@code Barrier.uuid} of explicit barriers. */
    public static final int BARRIER_UUID = 0xffff_bbbb;

    /** {@code DeviceControlMsg} types. Real numbering for 12.3..13.2 as later trees have it (unverified for the RFC). */
    public static final int DEVCTRL_DESTROY_CONTEXT = 0x17, DEVCTRL_INITIALIZE = 0x19;
    /**
     * Kiln's debug device-control messages: make the firmware crash, or hang without answering, or
     * make the GPU hang on the next unit work a command starts (it never ends: the firmware's
     * watchdog reports it).
     */
    public static final int DEVCTRL_KILN_INJECT_CRASH = 0x40, DEVCTRL_KILN_INJECT_HANG = 0x41,
            DEVCTRL_KILN_INJECT_GPU_HANG = 0x42;
    /**
     * Kiln's device-control message for a live swap (the real firmware is never replaced): start
     * no new command from now on; commands already started run to their end. What the firmware
     * has not started stays in the rings, for the driver to replay on the next firmware.
     */
    public static final int DEVCTRL_KILN_QUIESCE = 0x43;

    /** {@code EventMsg} types (Kiln's numbering of the real variants). */
    public static final int EVENT_FAULT = 0, EVENT_FLAG = 1, EVENT_TIMEOUT = 4;

    /**
     * {@code Globals.pending_stamps[].info}: bit 0 marks an active entry, {@code info >> 3} is
     * its event slot, {@code info & 7} are flags (real). Before it reports a fault and halts,
     * Kiln's firmware sets {@code PENDING_FAULTED} on the entry of a command whose unit work took
     * an MMU fault, {@code PENDING_ERROR} on one whose unit failed otherwise (an illegal program);
     * the real flags' meaning is unknown. Several commands may fault at once while
     * {@code FAULT_INFO} latches one of them, and the driver must fail exactly those.
     */
    public static final int PENDING_ACTIVE = 1, PENDING_FAULTED = 2, PENDING_ERROR = 4, PENDING_SLOT_SHIFT = 3;

    /** {@code FW_LOG_MSG.msg_type} of a firmware log line (Kiln's). */
    public static final int FW_LOG_LINE = 1;
    /** {@code STATS_MSG.msg_type} of a power/utilisation sample (Kiln's). */
    public static final int STATS_SAMPLE = 1;

    /** Real entry counts of the driver's rings. */
    public static final int PIPE_RING_ENTRIES = 0x100, DEVICE_CONTROL_RING_ENTRIES = 0x100, EVENT_RING_ENTRIES = 0x100,
            FW_LOG_RING_ENTRIES = 0x600, KTRACE_RING_ENTRIES = 0x200, STATS_RING_ENTRIES = 0x100,
            FW_CTL_RING_ENTRIES = 0x100;

    /** Real: the high bit the driver sets on {@code tvb_heapmeta} pointers. */
    public static final long HEAPMETA_FLAG = 1L << 63;

    private FirmwareProtocol() {
    }
}
