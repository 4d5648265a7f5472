package kiln.agx.api.firmware;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

import kiln.agx.api.hw.GpuGen;

/**
 * The firmware ABI of one (generation, firmware version): the layout of every
 * {@link AbiType}. This is the Java form of the real driver's {@code #[versions(AGX)]}
 * variants ({@code InitDataG13V12_3}, ...): the driver resolves the fields it writes once per
 * device, when it binds the firmware, and then writes and reads through those
 * {@link AbiField}s with no further lookup. A firmware bundle supplies one per generation it
 * supports ({@link Firmware#abi}). Immutable and thread-safe.
 */
public final class FirmwareAbi {
    private final GpuGen generation;
    private final FirmwareVersion version;
    private final Map<AbiType, AbiStruct> structs;

    /**
     * @throws IllegalArgumentException unless every {@link AbiType} has a layout
     */
    public FirmwareAbi(GpuGen generation, FirmwareVersion version, Map<AbiType, AbiStruct> structs) {
        this.generation = Objects.requireNonNull(generation);
        this.version = Objects.requireNonNull(version);
        EnumMap<AbiType, AbiStruct> copy = new EnumMap<>(AbiType.class);
        copy.putAll(structs);
        for (AbiType t : AbiType.values()) {
            if (copy.get(t) == null || copy.get(t).type() != t) {
                throw new IllegalArgumentException("no layout for " + t + " in " + generation + " " + version);
            }
        }
        this.structs = copy;
    }

    public GpuGen generation() {
        return generation;
    }

    public FirmwareVersion version() {
        return version;
    }

    /** The layout of {@code type}. */
    public AbiStruct struct(AbiType type) {
        return structs.get(type);
    }

    /** Shorthand for {@code struct(type).field(name)}. */
    public AbiField field(AbiType type, String name) {
        return structs.get(type).field(name);
    }

    /** Size of {@code type} in bytes. */
    public long sizeOf(AbiType type) {
        return structs.get(type).byteSize();
    }

    @Override
    public String toString() {
        return "firmware " + version + " ABI for " + generation;
    }
}
