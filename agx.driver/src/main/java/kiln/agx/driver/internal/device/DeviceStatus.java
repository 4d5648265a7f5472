package kiln.agx.driver.internal.device;

/**
 * A device as the shell shows it.
 *
 * @param name       the device's name
 * @param compatible its chip's compatible string
 * @param pin        the firmware version it is pinned to, or empty
 * @param state      where it is
 * @param reason     why (empty when running)
 * @param firmware   the firmware it runs, or empty
 * @param node       its render node, or empty
 */
public record DeviceStatus(String name, String compatible, String pin, DeviceState state, String reason, String firmware,
        String node) {
}
