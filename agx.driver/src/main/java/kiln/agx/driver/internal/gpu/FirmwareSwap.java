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
 * @param downtime how long no command started: from quiescing the old firmware to the new one
 *                 having the replayed commands
 * @param queues   user queues rebuilt in the new ABI
 * @param replayed user commands the old firmware had not started, replayed on the new one (when
 *                 parked: held for the next firmware)
 * @param failed   user commands that failed with it (a render's two passes count once): those a
 *                 crash hit, or started ones a swap killed because they outlasted its drain bound
 *                 (0 for a swap that drained in time)
 * @param outcome  {@code "ok"}, {@code "parked"}, or why it failed
 */
public record FirmwareSwap(String reason, String from, String to, Instant at, Duration downtime, int queues, int replayed, int failed,
        String outcome) {
}
