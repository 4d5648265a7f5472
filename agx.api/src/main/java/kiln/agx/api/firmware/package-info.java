/**
 * The firmware SPI and the firmware ABI model. Firmware bundles ({@code firmware.fw12_3},
 * {@code firmware.fw13_2}) register a {@link kiln.agx.api.firmware.Firmware} service; the driver
 * picks one per device at probe time and can swap it live. Each firmware describes the
 * structures it shares with the driver as a {@link kiln.agx.api.firmware.FirmwareAbi} per
 * generation ({@link kiln.agx.api.firmware.AbiType} names them, as the real driver does); the
 * protocol's constants are {@link kiln.agx.api.firmware.FirmwareProtocol},
 * {@link kiln.agx.api.firmware.CommandType}, {@link kiln.agx.api.firmware.MicroOp} and
 * {@link kiln.agx.api.firmware.PipeType}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.3.0")
package kiln.agx.api.firmware;
