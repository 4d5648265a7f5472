package kiln.agx.api.hw;

/**
 * The mailbox protocol between the driver (AP) and the GPU firmware on the ASC, as drm-asahi
 * speaks it (reference notes, 5.1): two application endpoints, messages with a type in bits
 * [63:48] and an argument below.
 */
public final class AscMessages {
    private AscMessages() {
    }

    /** RTKit's management endpoint. */
    public static final int EP_MANAGEMENT = 0x00;
    /** RTKit's crash log endpoint: Kiln's ASC reports a crashed firmware program here. */
    public static final int EP_CRASHLOG = 0x01;
    /** The firmware endpoint: init, firmware control, halt; and the firmware's doorbell back. */
    public static final int EP_FIRMWARE = 0x20;
    /** The doorbell endpoint: kicks. */
    public static final int EP_DOORBELL = 0x21;

    /** AP to firmware on {@link #EP_FIRMWARE}: boot with InitData at the GPU VA in bits [43:0]. */
    public static final long MSG_INIT = 0x81L << 48;
    /** AP to firmware on {@link #EP_DOORBELL}: ring a doorbell (argument below). */
    public static final long MSG_TX_DOORBELL = 0x83L << 48;
    /** AP to firmware on {@link #EP_FIRMWARE}: a firmware-control request is queued. */
    public static final long MSG_FWCTL = 0x84L << 48;
    /** AP to firmware on {@link #EP_FIRMWARE}: halt. */
    public static final long MSG_HALT = 0x85L << 48;
    /** Firmware to AP on {@link #EP_FIRMWARE}: the firmware rang the AP's doorbell (the only message the AP accepts). */
    public static final long MSG_RX_DOORBELL = 0x42L << 48;

    /** Doorbell argument: kick the firmware. */
    public static final int DOORBELL_KICKFW = 0x10;
    /** Doorbell argument: the device-control ring has work. */
    public static final int DOORBELL_DEVCTRL = 0x11;

    /** Bits of the InitData address in {@link #MSG_INIT}. */
    public static final long INIT_ADDRESS_MASK = (1L << 44) - 1;

    /** The type of a message: bits [63:48]. */
    public static long type(long message) {
        return message & (0xffffL << 48);
    }

    /** The argument of a message: bits [47:0]. */
    public static long argument(long message) {
        return message & ((1L << 48) - 1);
    }

    /**
     * The InitData address a {@code MSG_INIT} carries, sign-extended from bit 43: the driver
     * sends a kernel (upper-half) address cut to 44 bits.
     */
    public static long initAddress(long message) {
        return (message & INIT_ADDRESS_MASK) << 20 >> 20;
    }

    /** {@code MSG_INIT} for InitData at {@code initDataVa}. */
    public static long init(long initDataVa) {
        return MSG_INIT | (initDataVa & INIT_ADDRESS_MASK);
    }

    /** {@code MSG_TX_DOORBELL} for a doorbell (e.g. a pipe's {@code type | priority << 2}). */
    public static long doorbell(int doorbell) {
        return MSG_TX_DOORBELL | (doorbell & 0xffffL);
    }
}
