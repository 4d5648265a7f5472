package kiln.agx.api.silicon;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A firmware image: the program the ASC coprocessor runs, supplied by a firmware bundle. It
 * runs on the ASC's own thread from the moment the driver sets {@code CPU_RUN} until it returns
 * (the firmware halted) or throws (the firmware crashed); clearing {@code CPU_RUN} or powering
 * off interrupts it. Everything it may touch comes through the {@link AscContext}.
 */
@ConsumerType
public interface AscProgram {
    /** The firmware's main loop. */
    void run(AscContext context) throws Exception;
}
