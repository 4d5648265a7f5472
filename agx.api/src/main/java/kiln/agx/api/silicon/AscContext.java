package kiln.agx.api.silicon;

import java.util.concurrent.TimeUnit;

import org.osgi.annotation.versioning.ProviderType;

import kiln.agx.api.hw.HwConfig;

/**
 * What a firmware program sees from the ASC: memory as the real coprocessor sees it (through
 * the UAT, as the firmware agent), its mailbox, the GPU's execution units and registers, and the
 * GPU timer. Used from the ASC thread only.
 */
@ProviderType
public interface AscContext {
    /** The chip. */
    HwConfig hwConfig();

    /** Memory through UAT context {@code slot} with the firmware's permissions (context 0 holds the kernel VM). */
    GpuMemory memory(int slot);

    /**
     * The next message from the AP, waiting up to {@code timeout}; {@code null} if none came.
     *
     * @throws InterruptedException when the ASC is being stopped: the program should return
     */
    MailboxMessage receive(long timeout, TimeUnit unit) throws InterruptedException;

    /** Sends a message to the AP (delivered to the driver's receiver in order). */
    void send(int endpoint, long payload);

    /** The compute unit. */
    ComputeUnit compute();

    /** The tiler. */
    TilerUnit tiler();

    /** The fragment pipe. */
    FragmentUnit fragment();

    /** The GPU registers (the firmware reads {@code FAULT_INFO} after a fault). */
    Mmio mmio();

    /** The UAT, for the TLB maintenance firmware control asks for. */
    Uat uat();

    /** The GPU timestamp, 24 MHz ticks. */
    long timestamp();
}
