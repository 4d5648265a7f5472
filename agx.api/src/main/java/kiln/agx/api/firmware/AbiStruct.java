package kiln.agx.api.firmware;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One firmware structure as one (generation, firmware) lays it out: a packed
 * {@link StructLayout} whose named members are its fields (scalars, arrays of scalars, or
 * embedded structures, each naming its {@link AbiType}), resolved once into {@link AbiField}s.
 *
 * <p>{@link #field} knows every name the type has in any version: a name this layout lacks
 * gives an {@linkplain AbiField#absent absent} field, a name no version has is a bug and
 * throws. Immutable and thread-safe.
 */
public final class AbiStruct {
    private final AbiType type;
    private final StructLayout layout;
    private final Map<String, AbiField> fields;
    private final Set<String> namesInAnyVersion;

    /**
     * @param type              the structure
     * @param layout            its layout; members are named; groups embed the structure named
     *                          by {@code nested} for that member (or a sequence of them)
     * @param nested            member name to embedded structure type
     * @param namesInAnyVersion every field name the type has in some version
     */
    public AbiStruct(AbiType type, StructLayout layout, Map<String, AbiType> nested, Set<String> namesInAnyVersion) {
        this.type = Objects.requireNonNull(type);
        this.layout = Objects.requireNonNull(layout);
        Map<String, AbiField> resolved = new LinkedHashMap<>();
        long offset = 0;
        for (MemoryLayout member : layout.memberLayouts()) {
            if (!(member instanceof PaddingLayout)) {
                String name = member.name().orElseThrow(() -> new IllegalArgumentException(type + ": unnamed member"));
                resolved.put(name, resolve(name, member, offset, nested.get(name)));
            }
            offset += member.byteSize();
        }
        this.fields = Collections.unmodifiableMap(resolved);
        this.namesInAnyVersion = Set.copyOf(namesInAnyVersion);
        for (String name : fields.keySet()) {
            if (!this.namesInAnyVersion.contains(name)) {
                throw new IllegalArgumentException(type + "." + name + " missing from the names of any version");
            }
        }
    }

    private AbiField resolve(String name, MemoryLayout member, long offset, AbiType nestedType) {
        if (member instanceof ValueLayout value) {
            return new AbiField(name, offset, value.byteSize(), 1, null);
        }
        if (member instanceof SequenceLayout sequence) {
            MemoryLayout element = sequence.elementLayout();
            int count = Math.toIntExact(sequence.elementCount());
            if (element instanceof GroupLayout) {
                return new AbiField(name, offset, element.byteSize(), count, require(name, nestedType));
            }
            return new AbiField(name, offset, element.byteSize(), count, null);
        }
        if (member instanceof GroupLayout group) {
            return new AbiField(name, offset, group.byteSize(), 1, require(name, nestedType));
        }
        throw new IllegalArgumentException(type + "." + name + ": unsupported member " + member);
    }

    private AbiType require(String name, AbiType nestedType) {
        if (nestedType == null) {
            throw new IllegalArgumentException(type + "." + name + " embeds a structure without naming its type");
        }
        return nestedType;
    }

    public AbiType type() {
        return type;
    }

    /** The layout, as data. */
    public StructLayout layout() {
        return layout;
    }

    /** Size in bytes. */
    public long byteSize() {
        return layout.byteSize();
    }

    /**
     * The field {@code name}; absent if this version lacks it.
     *
     * @throws IllegalArgumentException if no version of the type has such a field
     */
    public AbiField field(String name) {
        AbiField f = fields.get(name);
        if (f != null) {
            return f;
        }
        if (namesInAnyVersion.contains(name)) {
            return AbiField.absent(name);
        }
        throw new IllegalArgumentException(type + " has no field " + name + " in any firmware");
    }

    /** The fields this version has, in layout order. */
    public List<AbiField> fields() {
        return new ArrayList<>(fields.values());
    }

    @Override
    public String toString() {
        return type + "(0x" + Long.toHexString(byteSize()) + " bytes, " + fields.size() + " fields)";
    }
}
