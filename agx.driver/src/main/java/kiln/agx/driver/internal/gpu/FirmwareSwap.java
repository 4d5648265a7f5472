package kiln.agx.driver.internal.gpu;

import java.time.Duration;
import java.time.Instant;

/**
 * One firmware swap as the device's history keeps it.
 *
 * @param reason   why it happened ({@code agx:swap}, firmware went away, newer firmware, crash recovery)
 * @param from     the version that ran before
 * @param to       the version that runs after (or the one tried)
 * @param at       when the swap started
 * @param downtime how long no work reached the firmware
 * @param queues   user queues rebuilt in the new ABI
 * @param failed   commands that failed with it (a crash's: the work it hit; 0 for a swap, which loses nothing)
 * @param outcome  {@code "ok"}, {@code "parked"}, or why it failed
 */
public record FirmwareSwap(String reason, String from, String to, Instant at, Duration downtime, int queues, int failed,
        String outcome) {
}
