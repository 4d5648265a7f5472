package kiln.agx.api.silicon;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The GPU's coprocessor (an RTKit ASC) as the AP sees it: a firmware image slot, the run state
 * that {@code CPU_CONTROL.CPU_RUN} drives, and the two mailbox directions.
 *
 * <h2>Running</h2>
 * {@link #load} places a firmware program while the ASC is not running. Writing
 * {@code CPU_RUN} to {@code CPU_CONTROL} (the real start sequence) starts it on the ASC's
 * thread; clearing the bit stops it (the program is interrupted and the ASC is
 * {@link State#STOPPED}). A program that returns leaves the ASC {@link State#HALTED}; one that
 * throws leaves it {@link State#CRASHED} and reports on {@link kiln.agx.api.hw.AscMessages#EP_CRASHLOG}.
 * Setting {@code CPU_RUN} with no program loaded does nothing.
 *
 * <h2>Mailbox</h2>
 * AP-to-ASC messages queue in a FIFO of {@link #FIFO_DEPTH}; {@link #send} waits for room up
 * to a timeout, as the driver waits on a full mailbox. ASC-to-AP messages are handed to the
 * {@link MailboxReceiver} in order on the silicon's mailbox interrupt thread; messages sent
 * before a receiver is set wait for it. Messages sent to a stopped ASC stay queued until it runs.
 */
@ProviderType
public interface Asc {
    /** AP-to-ASC FIFO slots. */
    int FIFO_DEPTH = 64;

    /** Run states. */
    enum State {
        /** Not running ({@code CPU_RUN} clear, or never set). */
        STOPPED,
        /** Running the firmware program. */
        RUNNING,
        /** The program returned. */
        HALTED,
        /** The program threw. */
        CRASHED
    }

    /** Loads the firmware image; {@link IllegalStateException} while running. */
    void load(AscProgram program);

    /** The current state. */
    State state();

    /**
     * Queues a message for the firmware.
     *
     * @return false if the FIFO stayed full for {@code timeout}
     */
    boolean send(MailboxMessage message, Duration timeout) throws InterruptedException;

    /** Sets (or with {@code null} clears) the AP's handler for messages from the firmware. */
    void setReceiver(MailboxReceiver receiver);

    /** Waits until the state is not {@link State#RUNNING}, up to {@code timeout}; the state then. */
    State awaitStop(Duration timeout) throws InterruptedException;
}
