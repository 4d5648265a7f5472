package kiln.agx.api.silicon;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import org.osgi.annotation.versioning.ProviderType;

import kiln.agx.api.hw.HwConfig;

/**
 * What a firmware program sees from the ASC: memory as the real coprocessor sees it (through
 * the UAT, as the firmware agent), its mailbox, the GPU's execution units and registers, and the
 * GPU timer. Used from the ASC thread only, except {@link #wake}.
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

    /**
     * The firmware's own mapping of a bootloader-reserved region (the real ASC has its own
     * page tables, set up before the AP runs): {@code handoff} is how firmware and driver meet
     * before any UAT context exists.
     *
     * @throws IllegalArgumentException if there is no such region
     */
    MemorySegment region(String name);

    /**
     * Raises the ASC's interrupt from any thread (an execution unit finishing work does): a
     * {@link #receive} in progress or the next one returns {@code null} at once if no message
     * is waiting. Interrupts do not queue; one pending interrupt covers any number raised.
     */
    void wake();

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
