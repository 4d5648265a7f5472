/**
 * The firmware SPI: firmware bundles ({@code firmware.fw12_3}, {@code firmware.fw13_2}) register a
 * {@link kiln.agx.api.firmware.Firmware} service; the driver picks one per device at probe time
 * and can swap it live.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package kiln.agx.api.firmware;
